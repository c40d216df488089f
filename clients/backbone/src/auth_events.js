/**
 * @module latchkey-client/auth_events
 *
 * AuthEventCollection: the logged-in user's recent account activity, as
 * GET /api/auth/events lists it (newest first): sign-ins, failed sign-in
 * attempts, sign-outs, revoked sessions, password and profile changes. Filled
 * by SessionModel (`session.events()`); it makes no requests itself.
 *
 * AuthEventModel attributes (exactly what the server reports):
 *   - `type`       {string} e.g. "login", "login_failed", "password_changed"
 *   - `at`         {string} RFC 3339 UTC
 *   - `ip`         {string} client address
 *   - `user_agent` {string} as the browser sent it
 * `label()` gives the sentence shown to the user.
 */
define(['underscore', 'backbone'], function (_, Backbone) {
  'use strict';

  var kAttributes = ['type', 'at', 'ip', 'user_agent'];
  var kLabels = {
    signup: 'Account created',
    signup_throttled: 'Sign-up refused: too many attempts',
    login: 'Signed in',
    login_failed: 'Failed sign-in attempt',
    login_throttled: 'Sign-in refused: too many attempts',
    logout: 'Signed out',
    session_revoked: 'A session was revoked',
    other_sessions_revoked: 'Signed out everywhere else',
    password_changed: 'Password changed',
    password_change_failed: 'Password change refused: wrong current password',
    profile_updated: 'Profile updated',
    account_removed: 'Account removed'
  };

  var AuthEventModel = Backbone.Model.extend(/** @lends AuthEventModel.prototype */ {
    parse: function (attrs) {
      return _.pick(attrs || {}, kAttributes);
    },

    /** @returns {string} a sentence for the event type */
    label: function () {
      return kLabels[this.get('type')] || this.get('type');
    },

    /** @returns {boolean} true for events the user should look at twice */
    isWarning: function () {
      return /_failed$|_throttled$/.test(this.get('type') || '');
    }
  });

  var AuthEventCollection = Backbone.Collection.extend(/** @lends AuthEventCollection.prototype */ {
    model: AuthEventModel
  });

  return AuthEventCollection;
});
