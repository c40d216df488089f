/**
 * @module views/login_page
 *
 * LoginPageView: the login form and the signup form on one page. Both are
 * checked by Parsley first (no request while a rule fails); server errors are
 * shown next to the field they name, or in the form's alert. On success the
 * session flips `logged_in` and the router takes the user home.
 */
define(['backbone', 'app', 'views/form_errors', 'templates/login_page'],
function (Backbone, app, formErrors, template) {
  'use strict';

  var kInvalidCredentials = 'Invalid username or password';

  var LoginPageView = Backbone.View.extend(/** @lends LoginPageView.prototype */ {
    title: 'Log in · Latchkey',

    events: {
      'submit [data-testid="login-form"]': 'onLogin',
      'submit [data-testid="signup-form"]': 'onSignup'
    },

    initialize: function () {
      this.busy = false;
      this.listenTo(app.session, 'change:logged_in', this.render);
    },

    /** @returns {LoginPageView} this */
    render: function () {
      // A logged_in change can still reach a view the router just removed.
      if (this.removed) return this;
      this.destroyForms();
      this.$el.html(template({}));
      this.$login = this.$('[data-testid="login-form"]');
      this.$signup = this.$('[data-testid="signup-form"]');
      formErrors.bind(this.$login);
      formErrors.bind(this.$signup);
      return this;
    },

    onLogin: function (event) {
      event.preventDefault();
      var $form = this.$login;
      var $alert = $form.find('[data-testid="login-alert"]');
      if (this.busy || !formErrors.validate($form, $alert)) return;
      var request = app.session.login({
        username: $form.find('[name="username"]').val(),
        password: $form.find('[name="password"]').val()
      });
      this.track(request).fail(function (err) {
        if (err.status === 401) {
          $form.find('[name="password"]').val('');
          formErrors.showServerError($form, $alert, { field: null }, kInvalidCredentials);
        } else {
          formErrors.showServerError($form, $alert, err);
        }
      });
    },

    onSignup: function (event) {
      event.preventDefault();
      var $form = this.$signup;
      var $alert = $form.find('[data-testid="signup-alert"]');
      if (this.busy || !formErrors.validate($form, $alert)) return;
      var request = app.session.signup({
        username: $form.find('[name="username"]').val(),
        password: $form.find('[name="password"]').val(),
        name: $form.find('[name="name"]').val()
      });
      this.track(request).fail(function (err) {
        formErrors.showServerError($form, $alert, err);
      });
    },

    /** Disables both submit buttons while a request is in flight. */
    track: function (request) {
      var view = this;
      var $buttons = this.$('button[type="submit"]');
      this.busy = true;
      $buttons.prop('disabled', true);
      return request.always(function () {
        view.busy = false;
        $buttons.prop('disabled', false);
      });
    },

    destroyForms: function () {
      if (this.$login) formErrors.destroy(this.$login);
      if (this.$signup) formErrors.destroy(this.$signup);
      this.$login = this.$signup = null;
    },

    remove: function () {
      this.removed = true;
      this.destroyForms();
      return Backbone.View.prototype.remove.apply(this, arguments);
    }
  });

  return LoginPageView;
});
