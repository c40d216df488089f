/**
 * @module views/login_page
 *
 * LoginPageView: the login form and the signup form on one page. Both are
 * checked by Parsley first (no request while a rule fails); server errors are
 * shown next to the field they name, or in the form's alert. On success the
 * session flips `logged_in` and the router takes the user home.
 *
 * The signup email is optional unless the server requires one
 * (`--require-verified-email`): the server then answers 400 naming `email`,
 * shown under the field like any server error. "Forgot your password?" leads
 * to /forgot-password.
 *
 * "Remember me" (unchecked by default) asks for a persistent cookie; without
 * it the session ends when the browser closes. Signing up always remembers.
 *
 * Options: `notice` {string=} a message to show above the forms (why the user
 * is here, e.g. their session has ended); `kept` {string[]=} the labels of the
 * inputs whose unsaved text the router keeps until the same user logs back in.
 */
define(['app', 'views/form_view', 'views/form_errors', 'templates/login_page'],
function (app, FormView, formErrors, template) {
  'use strict';

  var kInvalidCredentials = 'Invalid username or password';

  var LoginPageView = FormView.extend(/** @lends LoginPageView.prototype */ {
    title: 'Log in · Latchkey',

    // No session to end here: a failed login is about the input.
    hideEndedErrors: false,

    events: {
      'submit [data-testid="login-form"]': 'onLogin',
      'submit [data-testid="signup-form"]': 'onSignup'
    },

    /** @param {{notice: string=, kept: string[]=}} [options] */
    initialize: function (options) {
      this.notice = (options && options.notice) || null;
      this.kept = (options && options.kept) || [];
      this.listenTo(app.session, 'change:logged_in', this.render);
    },

    /** @returns {LoginPageView} this */
    render: function () {
      // A logged_in change can still reach a view the router just removed.
      if (this.removed) return this;
      this.renderTemplate(template, { notice: this.notice, kept: this.kept });
      this.$login = this.bindForm('[data-testid="login-form"]');
      this.$signup = this.bindForm('[data-testid="signup-form"]');
      return this;
    },

    onLogin: function (event) {
      event.preventDefault();
      var $form = this.$login;
      var $alert = $form.find('[data-testid="login-alert"]');
      var $password = $form.find('[name="password"]');
      this.submitForm({
        $form: $form,
        $alert: $alert,
        $buttons: this.$('button[type="submit"]'),
        request: function () {
          return app.session.login({
            username: $form.find('[name="username"]').val(),
            password: $password.val(),
            remember: $form.find('[name="remember"]').prop('checked') === true
          });
        },
        fail: function (err) {
          if (err.code !== 'invalid_credentials') return formErrors.showServerError($form, $alert, err);
          $password.val('');
          formErrors.showServerError($form, $alert, { field: null }, kInvalidCredentials);
        }
      });
    },

    onSignup: function (event) {
      event.preventDefault();
      var $form = this.$signup;
      this.submitForm({
        $form: $form,
        $alert: $form.find('[data-testid="signup-alert"]'),
        $buttons: this.$('button[type="submit"]'),
        request: function () {
          return app.session.signup({
            username: $form.find('[name="username"]').val(),
            password: $form.find('[name="password"]').val(),
            name: $form.find('[name="name"]').val(),
            email: $form.find('[name="email"]').val(),
            remember: true
          });
        }
      });
    }
  });

  return LoginPageView;
});
