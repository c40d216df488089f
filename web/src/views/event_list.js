/**
 * @module views/event_list
 *
 * EventListView: the user's recent account activity (session.authEvents): what
 * happened, from which device and address, and when. Failed and throttled
 * sign-in attempts stand out, so a user notices someone guessing.
 */
define(['underscore', 'backbone', 'app', 'lib/user_agent', 'lib/relative_time', 'templates/event_list'],
function (_, Backbone, app, userAgent, relativeTime, template) {
  'use strict';

  var EventListView = Backbone.View.extend(/** @lends EventListView.prototype */ {
    initialize: function () {
      this.loading = true;
      this.error = '';
      this.listenTo(app.session.authEvents, 'reset', this.render);
      this.refresh();
    },

    /** Reloads the activity from the server. @returns {Promise} */
    refresh: function () {
      var view = this;
      return app.session.events().then(function () {
        view.loading = false;
        view.error = '';
        view.render();
      }, function (err) {
        view.loading = false;
        // The router is taking the user to the login page, or rebuilding the page for another user.
        if (err.ended || err.stale) return;
        view.error = err.error;
        view.render();
      });
    },

    /** @returns {EventListView} this */
    render: function () {
      if (this.removed) return this;
      var now = Date.now();
      var events = app.session.authEvents.map(function (e) {
        return _.extend(e.toJSON(), {
          label: e.label(),
          warning: e.isWarning(),
          device: userAgent.describe(e.get('user_agent')),
          when: relativeTime.fromNow(e.get('at'), now)
        });
      });
      this.$el.html(template({ loading: this.loading, events: events, error: this.error }));
      return this;
    },

    remove: function () {
      this.removed = true;
      return Backbone.View.prototype.remove.apply(this, arguments);
    }
  });

  return EventListView;
});
