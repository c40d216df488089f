/**
 * @module views/verify_email_page
 *
 * VerifyEmailPageView (route /verify-email): opened from a verification mail's
 * link, it posts the link's token once the user clicks "Confirm this address"
 * (session.verifyEmail({token}): no session needed; never on load, so a mail
 * scanner that runs the page's script verifies nothing) and says what came of
 * it. A logged-in user whose address is not verified can also enter the mail's
 * code here (views/code_form). The token is only in the closure of `confirm`,
 * made at initialize.
 *
 * Options: `token` {?string} the link's token.
 */
define(['backbone', 'app', 'views/code_form', 'lib/retry_message', 'templates/verify_email_page'],
function (Backbone, app, CodeFormView, retryMessage, template) {
  'use strict';

  var VerifyEmailPageView = Backbone.View.extend(/** @lends VerifyEmailPageView.prototype */ {
    title: 'Verify your email · Latchkey',
    keepOnAuthChange: true,

    events: {
      'click [data-testid="verify-confirm"]': 'onConfirm'
    },

    /** @param {{token: ?string}} options */
    initialize: function (options) {
      var view = this;
      var token = (options && options.token) || null;
      this.state = token ? 'ready' : 'none'; // ready, checking, verified, failed, none
      this.result = '';
      this.codeForm = new CodeFormView({ idPrefix: 'verify-page' });
      this.listenTo(this.codeForm, 'verified', function () {
        this.state = 'verified';
        this.result = app.session.user.get('email');
        this.render();
      });
      this.listenTo(app.session, 'change:logged_in', this.render);
      this.listenTo(app.session.user, 'change:email_verified', this.render);
      if (!token) return;
      this.confirm = function () {
        app.session.verifyEmail({ token: token }).done(function (data) {
          view.state = 'verified';
          view.result = (data && data.user && data.user.email) || '';
        }).fail(function (err) {
          view.state = 'failed';
          view.result = err.code === 'invalid_token' ?
            'This link has expired, was already used, or a newer mail replaced it.' : retryMessage.text(err);
        }).always(function () {
          if (!view.removed) view.render();
        });
      };
    },

    /** Posts the link's token, once. */
    onConfirm: function (event) {
      event.preventDefault();
      if (this.state !== 'ready') return;
      this.state = 'checking';
      this.render();
      this.confirm();
    },

    /** @returns {VerifyEmailPageView} this */
    render: function () {
      if (this.removed) return this;
      var user = app.session.user;
      var loggedIn = app.session.get('logged_in');
      this.codeForm.$el.detach();
      this.$el.html(template({ state: this.state, result: this.result, loggedIn: loggedIn,
        needsCode: loggedIn && user.needsEmailVerification() && this.state !== 'verified' &&
          this.state !== 'ready',
        email: user.get('email') }));
      this.$('[data-region="code"]').append(this.codeForm.render().el);
      return this;
    },

    remove: function () {
      this.removed = true;
      this.codeForm.remove();
      return Backbone.View.prototype.remove.apply(this, arguments);
    }
  });

  return VerifyEmailPageView;
});
