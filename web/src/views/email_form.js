/**
 * @module views/email_form
 *
 * EmailFormView: the account's email address on the Account page: the address
 * with its state (verified or not) and a form to change or remove it (PATCH
 * /api/auth/user through session.updateProfile({email, current_password}):
 * recovery goes to the address, so the server wants the password too). Parsley
 * mirrors the server's address rules (lib/parsley_rules `email`); a server
 * error on `email` (400 rules, 409 `email_taken`) or `current_password` (401
 * wrong) shows under its input, a 429 says when to try again. Re-renders when the user's address or its state changes.
 */
define(['app', 'views/form_view', 'views/form_errors', 'lib/retry_message', 'templates/email_form'],
function (app, FormView, formErrors, retryMessage, template) {
  'use strict';

  var kTaken = 'This address is already verified on another account.';

  var EmailFormView = FormView.extend(/** @lends EmailFormView.prototype */ {
    events: {
      'submit [data-testid="email-form"]': 'onSubmit'
    },

    initialize: function () {
      this.status = '';
      this.listenTo(app.session.user, 'change:email change:email_verified', this.render);
    },

    /** @returns {EmailFormView} this */
    render: function () {
      if (this.removed) return this;
      var user = app.session.user;
      this.renderTemplate(template, { email: user.get('email'), verified: user.get('email_verified') === true,
        status: this.status });
      this.$form = this.bindForm('[data-testid="email-form"]');
      return this;
    },

    onSubmit: function (event) {
      event.preventDefault();
      var view = this;
      var $form = this.$form;
      var $alert = $form.find('[data-testid="email-alert"]');
      var email = $form.find('[name="email"]').val();
      var $current = $form.find('[name="current_password"]');
      this.status = '';
      $form.find('[data-testid="email-status"]').prop('hidden', true);
      this.submitForm({
        $form: $form,
        $alert: $alert,
        request: function () {
          return app.session.updateProfile({ email: email, current_password: $current.val() });
        },
        clearOnError: { current_password: $current },
        done: function () {
          view.status = email ? 'Saved. We sent a link and a code to ' + email + ' to verify it.' :
            'Your email address was removed.';
          view.render();
        },
        fail: function (err) {
          var message = err.code === 'email_taken' ? kTaken : retryMessage.text(err);
          formErrors.showServerError($form, $alert, err, message);
        }
      });
    }
  });

  return EmailFormView;
});
