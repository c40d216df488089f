/**
 * @module views/header
 *
 * HeaderView: the app name, and when logged in a link to the Account page,
 * "Logged in as NAME" and a Log out button (busy while its request runs,
 * views/busy_button). Re-renders on `change:logged_in` and on user changes.
 */
define(['backbone', 'app', 'views/busy_button', 'templates/header'],
function (Backbone, app, busyButton, template) {
  'use strict';

  var HeaderView = Backbone.View.extend(/** @lends HeaderView.prototype */ {
    events: {
      'click [data-testid="logout-button"]': 'onLogout'
    },

    initialize: function () {
      this.listenTo(app.session, 'change:logged_in', this.render);
      this.listenTo(app.session.user, 'change', this.render);
    },

    /** @returns {HeaderView} this */
    render: function () {
      var session = app.session;
      this.$el.html(template({
        logged_in: session.get('logged_in'),
        display_name: session.user.displayName()
      }));
      return this;
    },

    onLogout: function () {
      var view = this;
      var $button = this.$('[data-testid="logout-button"]');
      if (busyButton.isBusy($button)) return;
      view.$('[data-testid="header-alert"]').text('').prop('hidden', true);
      busyButton.during($button, app.session.logout()).fail(function (err) {
        // Already logged out (the session has flipped), or refused for another user: the
        // router shows that page and says so.
        if (err.ended || err.stale) return;
        view.$('[data-testid="header-alert"]').text(err.error).prop('hidden', false);
      });
    }
  });

  return HeaderView;
});
