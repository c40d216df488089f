/**
 * LoginView: the login and signup forms (template #login-screen of index.html).
 * new NotesApp.LoginView({session, notice}): `notice` is shown above the forms (e.g. "Your
 * session has ended"). On success the session's logged_in turns true and app.js routes on;
 * on failure the server's message is shown under the form (a taken username, a password that
 * is too short or too common, a wrong password). Passwords go into the request and nowhere else.
 */
(function (NotesApp, Backbone, $) {
  'use strict';

  NotesApp.LoginView = Backbone.View.extend({
    events: {
      'submit [data-testid="login-form"]': 'onLogin',
      'submit [data-testid="signup-form"]': 'onSignup'
    },

    initialize: function (options) {
      this.session = options.session;
      this.notice = options.notice || '';
    },

    render: function () {
      this.$el.html($('#login-screen').html());
      this.$('[data-testid="login-notice"]').text(this.notice).prop('hidden', !this.notice);
      return this;
    },

    onLogin: function (e) {
      e.preventDefault();
      this.submit('login', this.session.login.bind(this.session));
    },

    onSignup: function (e) {
      e.preventDefault();
      this.submit('signup', this.session.signup.bind(this.session));
    },

    /** Sends the form `name` with `send({username, password})`; shows the error it rejects with. */
    submit: function (name, send) {
      var form = this.$('[data-testid="' + name + '-form"]');
      var error = this.$('[data-testid="' + name + '-error"]').prop('hidden', true);
      var button = form.find('button').prop('disabled', true);
      send({
        username: form.find('[name="username"]').val(),
        password: form.find('[name="password"]').val(),
        remember: true
      }).fail(function (err) {
        error.text(err.error).prop('hidden', false);
        button.prop('disabled', false);
      });
    }
  });
}(window.NotesApp = window.NotesApp || {}, window.Backbone, window.jQuery));
