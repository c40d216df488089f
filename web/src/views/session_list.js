/**
 * @module views/session_list
 *
 * SessionListView: where the user is logged in (session.deviceSessions): the
 * device (parsed User-Agent), IP and last activity of each session, a
 * "This device" badge on the current one, Revoke on each other one, and
 * "Sign out everywhere else", each busy while its request runs
 * (views/busy_button). Re-renders whenever the collection changes, and once a
 * minute so "last seen" stays true.
 */
define(['underscore', 'backbone', 'app', 'lib/user_agent', 'lib/relative_time', 'views/busy_button',
  'templates/session_list'],
function (_, Backbone, app, userAgent, relativeTime, busyButton, template) {
  'use strict';

  var kTickMs = 60 * 1000;

  var SessionListView = Backbone.View.extend(/** @lends SessionListView.prototype */ {
    events: {
      'click [data-testid="session-revoke"]': 'onRevoke',
      'click [data-testid="revoke-others"]': 'onRevokeOthers'
    },

    initialize: function () {
      this.loading = true;
      this.error = '';
      this.status = '';
      this.listenTo(app.session.deviceSessions, 'reset update', this.render);
      this.timer = window.setInterval(this.render.bind(this), kTickMs);
      this.refresh();
    },

    /** Reloads the list from the server. @returns {Promise} */
    refresh: function () {
      var view = this;
      return app.session.sessions().then(function () {
        view.loading = false;
        view.render();
      }, function (err) {
        view.loading = false;
        view.showError(err);
      });
    },

    /** @returns {SessionListView} this */
    render: function () {
      if (this.removed) return this;
      var now = Date.now();
      var sessions = app.session.deviceSessions.map(function (s) {
        return _.extend(s.toJSON(), {
          device: userAgent.describe(s.get('user_agent')),
          last_seen: relativeTime.fromNow(s.get('last_seen_at'), now)
        });
      });
      this.$el.html(template({
        loading: this.loading,
        sessions: sessions,
        others: app.session.deviceSessions.others().length,
        error: this.error,
        status: this.status
      }));
      return this;
    },

    onRevoke: function (event) {
      var $button = this.$(event.currentTarget);
      if (busyButton.isBusy($button)) return;
      var id = String($button.attr('data-session-id') || '');
      this.act($button, app.session.revokeSession(id), function () {
        return 'Session revoked.';
      });
    },

    onRevokeOthers: function () {
      var $button = this.$('[data-testid="revoke-others"]');
      if (busyButton.isBusy($button)) return;
      this.act($button, app.session.revokeOtherSessions(), function (data) {
        var n = data && typeof data.revoked === 'number' ? data.revoked : 0;
        return n === 1 ? 'Signed out 1 other session.' : 'Signed out ' + n + ' other sessions.';
      });
    },

    /**
     * Shows `$button` busy until `request` settles, then the outcome, then
     * reloads the list either way.
     */
    act: function ($button, request, describe) {
      var view = this;
      this.error = '';
      this.status = '';
      busyButton.during($button, request).then(function (data) {
        view.status = describe(data);
        view.refresh();
      }, function (err) {
        view.showError(err);
        if (!err.ended && !err.stale) view.refresh();
      });
    },

    showError: function (err) {
      // The router is taking the user to the login page, or rebuilding the page for another user.
      if (err.ended || err.stale) return;
      this.error = err.error;
      this.status = '';
      this.render();
    },

    remove: function () {
      this.removed = true;
      window.clearInterval(this.timer);
      return Backbone.View.prototype.remove.apply(this, arguments);
    }
  });

  return SessionListView;
});
