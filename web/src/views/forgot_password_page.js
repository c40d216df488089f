/**
 * @module views/forgot_password_page
 *
 * ForgotPasswordPageView (route /forgot-password, linked from the login page):
 * asks for a username or email address and requests a recovery mail
 * (session.requestRecovery). The server answers alike whether or not an
 * account matches, and so does this page: one neutral confirmation. A 429
 * says when to try again.
 */
define(['app', 'views/form_view', 'views/form_errors', 'lib/retry_message', 'templates/forgot_password_page'],
function (app, FormView, formErrors, retryMessage, template) {
  'use strict';

  var ForgotPasswordPageView = FormView.extend(/** @lends ForgotPasswordPageView.prototype */ {
    title: 'Forgot your password? · Latchkey',
    keepOnAuthChange: true,
    hideEndedErrors: false,

    events: {
      'submit [data-testid="forgot-form"]': 'onSubmit'
    },

    initialize: function () {
      this.sent = false;
    },

    /** @returns {ForgotPasswordPageView} this */
    render: function () {
      if (this.removed) return this;
      this.renderTemplate(template, { sent: this.sent });
      this.$form = this.bindForm('[data-testid="forgot-form"]');
      return this;
    },

    onSubmit: function (event) {
      event.preventDefault();
      var view = this;
      var $form = this.$form;
      var $alert = $form.find('[data-testid="forgot-alert"]');
      this.submitForm({
        $form: $form,
        $alert: $alert,
        request: function () {
          return app.session.requestRecovery({ login: $form.find('[name="login"]').val() });
        },
        done: function () {
          view.sent = true;
          view.render();
          view.$('[data-testid="forgot-sent"]').trigger('focus');
        },
        fail: function (err) {
          formErrors.showServerError($form, $alert, err, retryMessage.text(err));
        }
      });
    }
  });

  return ForgotPasswordPageView;
});
