/**
 * @module views/recover_page
 *
 * RecoverPageView (route /recover): sets a new password with a recovery mail.
 * Opened from the mail's link, it has the link's token (lib/link_token) and
 * asks only for the new password and its confirmation; opened without one
 * (the mail read on another device), it asks for the username or email
 * address and the mail's code too. The new password has signup's Parsley
 * rules. On success the server has ended every other session of the user and
 * signed this browser in (session.completeRecovery, as login): the page goes
 * home. The token is kept only in this view's closure (never on a model nor on
 * the view's attributes) and forgotten once the password was set.
 *
 * Options: `token` {?string} the link's token.
 */
define(['backbone', 'app', 'views/form_view', 'views/form_errors', 'lib/retry_message', 'templates/recover_page'],
function (Backbone, app, FormView, formErrors, retryMessage, template) {
  'use strict';

  var RecoverPageView = FormView.extend(/** @lends RecoverPageView.prototype */ {
    title: 'Choose a new password · Latchkey',
    keepOnAuthChange: true,
    hideEndedErrors: false,

    events: {
      'submit [data-testid="recover-form"]': 'onSubmit'
    },

    /** @param {{token: ?string}} options */
    initialize: function (options) {
      var token = (options && options.token) || null;
      this.withLink = Boolean(token);
      /** @returns {Object} the proof to send: the link's token, else the typed code and login */
      this.proof = function ($form) {
        if (token) return { token: token };
        return { code: $form.find('[name="code"]').val(), login: $form.find('[name="login"]').val() };
      };
      this.forget = function () { token = null; };
      this.secondFactor = false;
    },

    /** @returns {RecoverPageView} this */
    render: function () {
      if (this.removed) return this;
      this.renderTemplate(template, { withLink: this.withLink, secondFactor: this.secondFactor });
      this.$form = this.bindForm('[data-testid="recover-form"]');
      return this;
    },

    onSubmit: function (event) {
      event.preventDefault();
      var view = this;
      var $form = this.$form;
      var $alert = $form.find('[data-testid="recover-alert"]');
      this.submitForm({
        $form: $form,
        $alert: $alert,
        request: function () {
          var body = view.proof($form);
          body.new_password = $form.find('[name="new_password"]').val();
          body.remember = $form.find('[name="remember"]').prop('checked') === true;
          return app.session.completeRecovery(body);
        },
        done: function (data) {
          view.forget();
          if (data && data.second_factor_required) {
            view.secondFactor = true;
            view.render();
            return;
          }
          Backbone.history.navigate('', { trigger: true });
        },
        fail: function (err) {
          var message = retryMessage.text(err);
          if (err.code === 'invalid_token' && err.field === 'token') {
            message = 'This link has expired or was already used. Ask for a new one, or enter the ' +
              'code from the mail.';
          }
          formErrors.showServerError($form, $alert, err, message);
        }
      });
    }
  });

  return RecoverPageView;
});
