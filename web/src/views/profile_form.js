/**
 * @module views/profile_form
 *
 * ProfileFormView: edits the user's display name (PATCH /api/auth/user through
 * session.updateProfile). Parsley mirrors the server's rule (0-100 code points,
 * no control characters); a server error on `name` shows next to the input.
 * Re-renders when the user changes, so the form shows the saved name.
 */
define(['app', 'views/form_view', 'templates/profile_form'],
function (app, FormView, template) {
  'use strict';

  var ProfileFormView = FormView.extend(/** @lends ProfileFormView.prototype */ {
    events: {
      'submit [data-testid="profile-form"]': 'onSubmit'
    },

    initialize: function () {
      this.status = '';
      this.listenTo(app.session.user, 'change', this.render);
    },

    /** @returns {ProfileFormView} this */
    render: function () {
      if (this.removed) return this;
      var user = app.session.user;
      this.renderTemplate(template, { name: user.get('name'), username: user.get('username'), status: this.status });
      this.$form = this.bindForm('[data-testid="profile-form"]');
      return this;
    },

    onSubmit: function (event) {
      event.preventDefault();
      var view = this;
      var $form = this.$form;
      this.status = '';
      $form.find('[data-testid="profile-status"]').prop('hidden', true);
      this.submitForm({
        $form: $form,
        $alert: $form.find('[data-testid="profile-alert"]'),
        request: function () {
          return app.session.updateProfile({ name: $form.find('[name="name"]').val() });
        },
        done: function () {
          view.status = 'Saved.';
          view.render();
        }
      });
    }
  });

  return ProfileFormView;
});
