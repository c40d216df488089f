/**
 * @module latchkey-client/device_sessions
 *
 * DeviceSessionCollection: the logged-in user's sessions (one per browser or
 * device that is logged in), as GET /api/auth/sessions lists them, newest
 * first. Filled and kept up to date by SessionModel (`session.sessions()`,
 * `revokeSession(id)`, `revokeOtherSessions()`); it makes no requests itself,
 * so every request still goes through the session's one sync.
 *
 * DeviceSessionModel attributes (exactly what the server reports):
 *   - `id`           {string} public id (never the token)
 *   - `created_at`   {string} RFC 3339 UTC, when it was logged in
 *   - `last_seen_at` {string} RFC 3339 UTC, its last request
 *   - `expires_at`   {string} RFC 3339 UTC, when it ends if unused
 *   - `user_agent`   {string} as the browser sent it (may be empty)
 *   - `ip`           {string} client address (may be empty)
 *   - `current`      {boolean} true for the session of this browser
 *
 * Events: the usual Backbone `reset`, `remove`, `update`.
 */
define(['underscore', 'backbone'], function (_, Backbone) {
  'use strict';

  var kAttributes = ['id', 'created_at', 'last_seen_at', 'expires_at', 'user_agent', 'ip', 'current'];

  var DeviceSessionModel = Backbone.Model.extend(/** @lends DeviceSessionModel.prototype */ {
    defaults: function () {
      return { user_agent: '', ip: '', current: false };
    },

    /** Keeps only the attributes the server documents. */
    parse: function (attrs) {
      return _.pick(attrs || {}, kAttributes);
    },

    /** @returns {boolean} true for this browser's own session */
    isCurrent: function () {
      return this.get('current') === true;
    }
  });

  var DeviceSessionCollection = Backbone.Collection.extend(/** @lends DeviceSessionCollection.prototype */ {
    model: DeviceSessionModel,

    /** @returns {DeviceSessionModel[]} every session but this browser's */
    others: function () {
      return this.reject(function (s) { return s.isCurrent(); });
    }
  });

  return DeviceSessionCollection;
});
