/**
 * @module views/verify_banner
 *
 * VerifyBannerView: "verify your email" for a logged-in user whose address is
 * not verified, kept at the top of every page (the router keeps its element
 * across pages). "Send again" asks for a new mail (session.resendVerification;
 * a 429 says when to try again); the code from the mail can be entered here
 * (views/code_form). Hidden when logged out or verified; follows the session.
 */
define(['backbone', 'app', 'views/code_form', 'lib/retry_message', 'templates/verify_banner'],
function (Backbone, app, CodeFormView, retryMessage, template) {
  'use strict';

  var VerifyBannerView = Backbone.View.extend(/** @lends VerifyBannerView.prototype */ {
    attributes: { 'data-region': 'banner' },

    events: {
      'click [data-testid="verify-banner-resend"]': 'onResend'
    },

    initialize: function () {
      this.status = null; // {ok: boolean, text: string} after a resend
      this.sending = false;
      this.codeForm = new CodeFormView({ idPrefix: 'verify-banner' });
      this.listenTo(app.session, 'change:logged_in', this.reset);
      this.listenTo(app.session.user, 'change:email change:email_verified change:id', this.reset);
    },

    reset: function () {
      this.status = null;
      this.render();
    },

    /** @returns {VerifyBannerView} this */
    render: function () {
      var user = app.session.user;
      var shown = app.session.get('logged_in') && user.needsEmailVerification();
      this.codeForm.$el.detach();
      this.$el.html(shown ? template({ email: user.get('email'), status: this.status, sending: this.sending }) : '');
      if (shown) this.$('[data-region="banner-code"]').append(this.codeForm.render().el);
      return this;
    },

    onResend: function () {
      var view = this;
      if (this.sending) return;
      this.sending = true;
      this.status = null;
      this.render();
      app.session.resendVerification().done(function () {
        view.status = { ok: true, text: 'We sent a new link and code to ' + app.session.user.get('email') +
          '. The earlier ones no longer work.' };
      }).fail(function (err) {
        if (err.ended || err.stale) return;
        view.status = { ok: false, text: retryMessage.text(err) };
      }).always(function () {
        view.sending = false;
        view.render();
        view.$('[data-testid="verify-banner-status"]').trigger('focus');
      });
    }
  });

  return VerifyBannerView;
});
