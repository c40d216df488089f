/**
 * @module views/home_page
 *
 * HomePageView: the logged-in page: the user's details and "Remove account",
 * which asks for an in-page confirmation before calling the server.
 */
define(['backbone', 'app', 'templates/home_page'], function (Backbone, app, template) {
  'use strict';

  var HomePageView = Backbone.View.extend(/** @lends HomePageView.prototype */ {
    title: 'Your account · Latchkey',

    events: {
      'click [data-testid="remove-account"]': 'onAskRemove',
      'click [data-testid="remove-confirm-cancel"]': 'onCancelRemove',
      'click [data-testid="remove-confirm-yes"]': 'onConfirmRemove'
    },

    initialize: function () {
      this.confirming = false;
      this.listenTo(app.session, 'change:logged_in', this.render);
      this.listenTo(app.session.user, 'change', this.render);
    },

    /** @returns {HomePageView} this */
    render: function () {
      var user = app.session.user;
      if (!app.session.get('logged_in')) {
        this.$el.empty();
        return this;
      }
      this.$el.html(template({
        id: user.get('id'),
        username: user.get('username'),
        name: user.get('name'),
        display_name: user.displayName(),
        confirming: this.confirming
      }));
      return this;
    },

    onAskRemove: function () {
      this.confirming = true;
      this.render();
      this.$('[data-testid="remove-confirm-cancel"]').trigger('focus');
    },

    onCancelRemove: function () {
      this.confirming = false;
      this.render();
    },

    onConfirmRemove: function () {
      var view = this;
      var $buttons = this.$('[data-testid="remove-confirm"] button').prop('disabled', true);
      app.session.removeAccount().fail(function (err) {
        $buttons.prop('disabled', false);
        view.$('[data-testid="home-alert"]').text(err.error).prop('hidden', false);
      });
    }
  });

  return HomePageView;
});
