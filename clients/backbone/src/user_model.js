/**
 * @module latchkey-client/user_model
 *
 * UserModel: the public profile of the logged-in user, as the server reports it
 * in `{"user": {...}}` (GET /api/auth, login, signup, PATCH /api/auth/user,
 * POST /api/auth/password).
 *
 * Attributes (and nothing else, ever):
 *   - `id`       {number} server id
 *   - `username` {string}
 *   - `name`     {string} display name, may be empty
 *   - `email`    {?string} the account's email address (null when none)
 *   - `email_verified` {boolean} true once the address was verified
 *
 * Credentials never live here: SessionModel passes them straight into the
 * request body. `set()` silently drops any attribute not in the list above, so
 * a careless `user.set(formData)` cannot park a password on the model.
 *
 * Usually created by SessionModel (`session.user`). When it is, `sync` goes
 * through the session's sync, so any request a future user endpoint makes gets
 * the CSRF header and the 401 handling from that one place.
 *
 * Events: the usual Backbone `change`, `change:name`, ... events.
 */
define(['underscore', 'backbone'], function (_, Backbone) {
  'use strict';

  /** The only attributes a UserModel keeps. */
  var kAttributes = ['id', 'username', 'name', 'email', 'email_verified'];

  var UserModel = Backbone.Model.extend(/** @lends UserModel.prototype */ {
    defaults: function () {
      return { id: null, username: '', name: '', email: null, email_verified: false };
    },

    /**
     * @param {Object} [attrs]
     * @param {Object} [options]
     * @param {Backbone.Model} [options.session] the SessionModel whose sync to use
     */
    initialize: function (attrs, options) {
      this.session = (options && options.session) || null;
    },

    /** Like Backbone's set, but keeps only the attributes listed above. */
    set: function (key, val, options) {
      var attrs;
      if (key == null) return this;
      if (typeof key === 'object') {
        attrs = key;
        options = val;
      } else {
        attrs = {};
        attrs[key] = val;
      }
      return Backbone.Model.prototype.set.call(this, _.pick(attrs, kAttributes), options);
    },

    /** @returns {boolean} true when the user has an address that is not verified yet */
    needsEmailVerification: function () {
      return Boolean(this.get('email')) && this.get('email_verified') !== true;
    },

    /** The name to greet the user with: the display name, else the username. */
    displayName: function () {
      return this.get('name') || this.get('username');
    },

    /** Delegates to the owning session's sync (CSRF header, 401 handling). */
    sync: function (method, model, options) {
      if (this.session) return this.session.sync(method, model, options);
      return Backbone.sync(method, model, options);
    }
  });

  return UserModel;
});
