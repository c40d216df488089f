/**
 * @module router
 *
 * Router: pushState routes. `""` (home) and `account` need a session and send
 * others to /login; `login` sends logged-in users home; anything else is "not
 * found". When `logged_in` flips, the current route runs again so those rules
 * apply (logging in on /login lands on /, logging out on / lands on /login).
 * When it flips because the server ended the session (expired, revoked from
 * another device, password changed elsewhere), the user goes to /login from
 * wherever they are, and the login page says why; a logout the user asked for
 * says nothing, and one in another tab says so.
 *
 * Every page is built for one user (`builtFor`). When the session finds the
 * browser logged in as another (`user:switched`: another tab logged in as
 * someone else), the current route runs again with fresh views, so nothing of
 * the old user stays in the page, and a notice says what happened; a write the
 * server refused for that reason (`user:mismatch`) is announced at once.
 *
 * What the user typed and had not saved when the server ended the session
 * (FormView#draft: never a password) is kept here, in memory, and filled in
 * again once the same user logs back in, on the page they were on; logging in
 * as anyone else drops it.
 *
 * The pages of a mail's link (`recover`, `verify-email`, `undo-email`) and
 * `forgot-password` are for anyone, logged in or not; they are not re-run when
 * `logged_in` flips (their view's `keepOnAuthChange`): the page says what
 * happened (a recovery signs in, an undo ends every session) and goes on
 * itself; only a logout the user asked for takes them to /login. A link opened
 * on the page it leads to (only the fragment changes: no load) is captured
 * from `hashchange` the same way (main.js). They get the link's token from lib/link_token (main.js captured it
 * and cleared it from the address bar before the router started).
 *
 * Options: `$main` {jQuery} where the page views go; `$banner` {jQuery=} kept
 * at the top of `$main` across pages (the "verify your email" banner).
 */
define(['jquery', 'underscore', 'backbone', 'app', 'lib/link_token', 'views/home_page', 'views/login_page',
  'views/account_page', 'views/not_found_page', 'views/recover_page', 'views/verify_email_page',
  'views/undo_email_page', 'views/forgot_password_page'],
function ($, _, Backbone, app, linkToken, HomePageView, LoginPageView, AccountPageView, NotFoundPageView,
  RecoverPageView, VerifyEmailPageView, UndoEmailPageView, ForgotPasswordPageView) {
  'use strict';

  var kSessionEnded = 'Your session has ended. Please log in again.';
  var kLoggedOutElsewhere = 'You logged out in another tab or window.';
  var kMismatch = 'Nothing was changed: this page was out of date, showing another account than ' +
    'the one now logged in in this browser.';
  var kRestored = 'What you typed before your session ended has been filled in again. It is not saved yet.';

  function switchedTo(name) {
    return 'This browser is now logged in as ' + name + ' (from another tab or window), so this ' +
      'page now shows that account.';
  }

  var Router = Backbone.Router.extend(/** @lends Router.prototype */ {
    routes: {
      '': 'home',
      'login(/)': 'login',
      'account(/)': 'account',
      'forgot-password(/)': 'forgotPassword',
      'recover(/)': 'recover',
      'verify-email(/)': 'verifyEmail',
      'undo-email(/)': 'undoEmail',
      '*path': 'notFound'
    },

    /** @param {{$main: jQuery}} options */
    initialize: function (options) {
      this.$main = options.$main;
      this.$banner = options.$banner || $();
      this.$notice = $('<div class="alert alert-info" role="status" data-testid="page-notice" hidden></div>');
      this.current = null;
      this.builtFor = null;    // the id of the user the current page shows (null: none)
      this.loginNotice = null; // shown once, by the next login page
      this.pageNotice = null;  // shown once, by the next page
      this.draft = null;       // {userId, fragment, forms}: see the module doc
      this.listenTo(app.session, 'change:logged_in', this.onLoggedIn);
      this.listenTo(app.session, 'user:switched', function (session, changeOptions) {
        this.draft = null;
        this.pageNotice = changeOptions && changeOptions.mismatch ? kMismatch :
          switchedTo(session.user.displayName());
        Backbone.history.loadUrl();
      });
      this.listenTo(app.session, 'user:mismatch', function () {
        this.showNotice(kMismatch);
      });
      $(document).on('click', 'a[data-internal]', this.onInternalLink.bind(this));
    },

    onLoggedIn: function (session, loggedIn, changeOptions) {
      changeOptions = changeOptions || {};
      if (this.current && this.current.keepOnAuthChange) {
        // The page says what happened itself, unless the user logged out here.
        if (loggedIn || changeOptions.session_ended) return;
        this.draft = null;
        return this.redirect('login');
      }
      if (loggedIn || !changeOptions.session_ended) {
        if (!loggedIn) this.draft = null; // the user logged out: they meant to leave it
        Backbone.history.loadUrl();
        return;
      }
      if (changeOptions.elsewhere === 'logout') {
        this.draft = null;
        this.loginNotice = kLoggedOutElsewhere;
      } else {
        this.keepDraft();
        this.loginNotice = kSessionEnded;
      }
      this.redirect('login');
    },

    home: function () {
      if (!app.session.get('logged_in')) return this.redirect('login');
      this.show(new HomePageView());
    },

    account: function () {
      if (!app.session.get('logged_in')) return this.redirect('login');
      this.show(new AccountPageView());
    },

    login: function () {
      if (app.session.get('logged_in')) {
        if (this.draft && this.draft.userId !== app.session.user.get('id')) this.draft = null;
        return this.redirect(this.draft ? this.draft.fragment : '');
      }
      var notice = this.loginNotice;
      this.loginNotice = null;
      this.show(new LoginPageView({ notice: notice, kept: this.draft ? this.draft.labels : null }));
    },

    forgotPassword: function () {
      this.show(new ForgotPasswordPageView());
    },

    recover: function () {
      this.show(new RecoverPageView({ token: linkToken.take('/recover') }));
    },

    verifyEmail: function () {
      this.show(new VerifyEmailPageView({ token: linkToken.take('/verify-email') }));
    },

    undoEmail: function () {
      this.show(new UndoEmailPageView({ token: linkToken.take('/undo-email') }));
    },

    notFound: function (path) {
      this.show(new NotFoundPageView({ path: '/' + (path || '') }));
    },

    redirect: function (fragment) {
      this.navigate(fragment, { trigger: true, replace: true });
    },

    /** Replaces the current page view. */
    show: function (view) {
      if (this.current) this.current.remove();
      this.current = view;
      this.builtFor = app.session.get('logged_in') ? app.session.user.get('id') : null;
      this.$banner.detach(); // keeps its events: empty() would drop them
      this.$main.empty().append(this.$banner, this.$notice, view.render().el);
      var notice = this.pageNotice;
      this.pageNotice = null;
      if (this.draft && this.builtFor !== null) notice = this.restoreDraft(view) || notice;
      this.showNotice(notice);
      document.title = view.title || 'Latchkey';
    },

    /** Shows `text` above the current page (none: hides the notice). */
    showNotice: function (text) {
      this.$notice.text(text || '').prop('hidden', !text);
    },

    /** Keeps what the user typed on the current page, if anything, for keepDraft's user. */
    keepDraft: function () {
      var forms = this.current && this.current.draft ? this.current.draft() : {};
      if (this.builtFor === null || _.isEmpty(forms)) return;
      var labels = _.uniq(_.flatten(_.map(forms, function (fields) { return _.pluck(fields, 'label'); })));
      this.draft = { userId: this.builtFor, fragment: Backbone.history.getFragment(), forms: forms,
        labels: labels };
    },

    /** @returns {?string} the notice to show when the kept draft was filled into `view` */
    restoreDraft: function (view) {
      var draft = this.draft;
      if (draft.userId !== this.builtFor) {
        this.draft = null;
        return null;
      }
      if (draft.fragment !== Backbone.history.getFragment() || !view.restoreDraft) return null;
      this.draft = null;
      view.restoreDraft(draft.forms);
      return kRestored;
    },

    onInternalLink: function (event) {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      this.navigate($(event.currentTarget).attr('href'), { trigger: true });
    }
  });

  return Router;
});
