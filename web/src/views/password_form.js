/**
 * @module views/password_form
 *
 * PasswordFormView: changes the password (session.changePassword): current
 * password, new password and its confirmation, checked by Parsley first. A
 * server error shows next to `current_password` or `new_password`, else in the
 * form's alert. The passwords live only in the inputs, which are emptied after
 * a success.
 *
 * Events: `password:changed` after a success (the server has ended the user's
 * other sessions, so a session list should reload).
 */
define(['app', 'views/form_view', 'templates/password_form'],
function (app, FormView, template) {
  'use strict';

  var kChanged = 'Password changed. Your other sessions have been signed out.';

  var PasswordFormView = FormView.extend(/** @lends PasswordFormView.prototype */ {
    events: {
      'submit [data-testid="password-form"]': 'onSubmit'
    },

    initialize: function () {
      this.status = '';
    },

    /** @returns {PasswordFormView} this */
    render: function () {
      if (this.removed) return this;
      this.renderTemplate(template, { status: this.status, username: app.session.user.get('username') });
      this.$form = this.bindForm('[data-testid="password-form"]');
      return this;
    },

    onSubmit: function (event) {
      event.preventDefault();
      var view = this;
      var $form = this.$form;
      var $current = $form.find('[name="current_password"]');
      this.status = '';
      $form.find('[data-testid="password-status"]').prop('hidden', true);
      this.submitForm({
        $form: $form,
        $alert: $form.find('[data-testid="password-alert"]'),
        request: function () {
          return app.session.changePassword({
            current_password: $current.val(),
            new_password: $form.find('[name="new_password"]').val()
          });
        },
        clearOnError: { current_password: $current },
        done: function () {
          view.status = kChanged;
          view.render();
          view.trigger('password:changed');
        }
      });
    }
  });

  return PasswordFormView;
});
