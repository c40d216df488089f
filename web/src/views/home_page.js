/**
 * @module views/home_page
 *
 * HomePageView: the logged-in page: the user's details and "Remove account",
 * which asks for an in-page confirmation with the user's password before
 * calling the server. A wrong password is shown next to the password input.
 */
define(['app', 'views/form_view', 'templates/home_page'],
function (app, FormView, template) {
  'use strict';

  var HomePageView = FormView.extend(/** @lends HomePageView.prototype */ {
    title: 'Home · Latchkey',

    events: {
      'click [data-testid="remove-account"]': 'onAskRemove',
      'click [data-testid="remove-confirm-cancel"]': 'onCancelRemove',
      'submit [data-testid="remove-confirm"]': 'onConfirmRemove'
    },

    initialize: function () {
      this.confirming = false;
      this.listenTo(app.session, 'change:logged_in', this.render);
      this.listenTo(app.session.user, 'change', this.render);
    },

    /** @returns {HomePageView} this */
    render: function () {
      var user = app.session.user;
      if (this.removed || !app.session.get('logged_in')) {
        this.destroyForms();
        this.$el.empty();
        return this;
      }
      this.renderTemplate(template, {
        id: user.get('id'),
        username: user.get('username'),
        name: user.get('name'),
        display_name: user.displayName(),
        confirming: this.confirming
      });
      this.$form = this.bindForm('[data-testid="remove-confirm"]');
      return this;
    },

    onAskRemove: function () {
      this.confirming = true;
      this.render();
      this.$('[data-testid="remove-password"]').trigger('focus');
    },

    onCancelRemove: function () {
      this.confirming = false;
      this.render();
    },

    onConfirmRemove: function (event) {
      event.preventDefault();
      var $form = this.$form;
      var $password = $form.find('[name="password"]');
      // On success the session logs out and the router leaves this page.
      this.submitForm({
        $form: $form,
        $alert: this.$('[data-testid="home-alert"]'),
        $buttons: $form.find('button'),
        request: function () {
          return app.session.removeAccount({ password: $password.val() });
        },
        clearOnError: { password: $password }
      });
    }
  });

  return HomePageView;
});
