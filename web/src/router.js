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
 * Every page is built for one user. When the session finds the browser logged
 * in as another (`user:switched`: another tab logged in as someone else), the
 * current route runs again with fresh views, so nothing of the old user stays
 * in the page, and a notice says what happened; a write the server refused for
 * that reason (`user:mismatch`) is announced at once.
 *
 * Options: `$main` {jQuery} where the page views go.
 */
define(['jquery', 'backbone', 'app', 'views/home_page', 'views/login_page',
  'views/account_page', 'views/not_found_page'],
function ($, Backbone, app, HomePageView, LoginPageView, AccountPageView, NotFoundPageView) {
  'use strict';

  var kSessionEnded = 'Your session has ended. Please log in again.';
  var kLoggedOutElsewhere = 'You logged out in another tab or window.';
  var kMismatch = 'Nothing was changed: this page was out of date, showing another account than ' +
    'the one now logged in in this browser.';

  function switchedTo(name) {
    return 'This browser is now logged in as ' + name + ' (from another tab or window), so this ' +
      'page now shows that account.';
  }

  var Router = Backbone.Router.extend(/** @lends Router.prototype */ {
    routes: {
      '': 'home',
      'login(/)': 'login',
      'account(/)': 'account',
      '*path': 'notFound'
    },

    /** @param {{$main: jQuery}} options */
    initialize: function (options) {
      this.$main = options.$main;
      this.$notice = $('<div class="alert alert-info" role="status" data-testid="page-notice" hidden></div>');
      this.current = null;
      this.loginNotice = null; // shown once, by the next login page
      this.pageNotice = null;  // shown once, by the next page
      this.listenTo(app.session, 'change:logged_in', this.onLoggedIn);
      this.listenTo(app.session, 'user:switched', function (session, changeOptions) {
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
      if (loggedIn || !changeOptions.session_ended) {
        Backbone.history.loadUrl();
        return;
      }
      this.loginNotice = changeOptions.elsewhere === 'logout' ? kLoggedOutElsewhere : kSessionEnded;
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
      if (app.session.get('logged_in')) return this.redirect('');
      var notice = this.loginNotice;
      this.loginNotice = null;
      this.show(new LoginPageView({ notice: notice }));
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
      this.$main.empty().append(this.$notice, view.render().el);
      this.showNotice(this.pageNotice);
      this.pageNotice = null;
      document.title = view.title || 'Latchkey';
    },

    /** Shows `text` above the current page (none: hides the notice). */
    showNotice: function (text) {
      this.$notice.text(text || '').prop('hidden', !text);
    },

    onInternalLink: function (event) {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      this.navigate($(event.currentTarget).attr('href'), { trigger: true });
    }
  });

  return Router;
});
