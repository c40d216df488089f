/**
 * @module lib/session_model
 *
 * SessionModel: the client's single source of truth for "who is logged in",
 * for a cookie-session auth API (see docs/API.md). Drop-in for any Backbone app
 * that talks to such an API:
 *
 *     var session = new SessionModel(null, { apiRoot: '/api/auth' });
 *     session.on('change:logged_in', render);
 *     session.checkAuth().then(startRouter);
 *
 * Options (second constructor argument):
 *   - `apiRoot`   {string} base URL of the auth endpoints (default '/api/auth'):
 *                 GET apiRoot, POST apiRoot/signup, /login, /logout, /remove_account
 *   - `csrfToken` {string} CSRF token to send; by default it is read ONCE, at
 *                 construction, from `<meta name="csrf-token" content="...">`
 *                 (the server renders it into the page; it stays valid across
 *                 login and logout, so the page never needs to re-read it)
 *   - `csrfMeta`  {string} name of that meta tag (default 'csrf-token')
 *
 * Attributes:
 *   - `logged_in` {boolean} false until checkAuth/login/signup succeeds
 *
 * `session.user` is a UserModel (id, username, name) that stays the same object
 * for the life of the session; it is cleared on logout.
 *
 * Every request goes through `sync`, the ONE place that
 *   - adds `X-CSRF-Token` to every non-GET/HEAD request, and
 *   - turns any 401 into `logged_in = false` (the server forgot us).
 * Views never build requests or headers themselves.
 *
 * Methods return promises (jQuery). They resolve with the server's JSON and
 * reject with `{status, error, field}`: the HTTP status (0 when the server was
 * unreachable), the server's `error` message and the blamed `field` (or null).
 *
 * Passwords are never stored: login/signup send their argument as the request
 * body and keep nothing of it.
 *
 * Events: `change:logged_in` (and `change`) when the state flips; the usual
 * Backbone `request` / `sync` / `error` events are not used.
 */
define(['jquery', 'underscore', 'backbone', 'lib/user_model'], function ($, _, Backbone, UserModel) {
  'use strict';

  var kVerbs = { create: 'POST', update: 'PUT', patch: 'PATCH', 'delete': 'DELETE', read: 'GET' };

  function readCsrfToken(metaName) {
    return $('meta[name="' + metaName + '"]').attr('content') || '';
  }

  /** Turns a failed jqXHR into the {status, error, field} the promises reject with. */
  function toError(xhr) {
    var body = xhr.responseJSON;
    if (!body && xhr.responseText) {
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
    }
    var status = xhr.status || 0;
    var message = body && typeof body.error === 'string' ? body.error : null;
    if (!message) message = status ? 'Request failed (HTTP ' + status + ')' : 'Cannot reach the server';
    return {
      status: status,
      error: message,
      field: body && typeof body.field === 'string' ? body.field : null
    };
  }

  var SessionModel = Backbone.Model.extend(/** @lends SessionModel.prototype */ {
    defaults: { logged_in: false },

    /**
     * @param {Object} [attrs] ignored except `logged_in`
     * @param {{apiRoot: string=, csrfToken: string=, csrfMeta: string=}} [options]
     */
    initialize: function (attrs, options) {
      options = options || {};
      this.apiRoot = (options.apiRoot || '/api/auth').replace(/\/+$/, '');
      this.csrfToken = options.csrfToken != null ?
        String(options.csrfToken) : readCsrfToken(options.csrfMeta || 'csrf-token');
      this.user = new UserModel(null, { session: this });
    },

    url: function () {
      return this.apiRoot;
    },

    /**
     * The one request path: adds the CSRF header to state-changing requests and
     * maps a 401 to "logged out". Used by this model and by its UserModel.
     */
    sync: function (method, model, options) {
      options = _.extend({}, options);
      var verb = String(options.type || kVerbs[method] || 'GET').toUpperCase();
      if (verb !== 'GET' && verb !== 'HEAD') {
        options.headers = _.extend({}, options.headers, { 'X-CSRF-Token': this.csrfToken });
      }
      var session = this;
      var xhr = Backbone.sync(method, model, options);
      xhr.fail(function (jqxhr) {
        if (jqxhr.status === 401) session._forgetUser();
      });
      return xhr;
    },

    /**
     * Asks the server who we are (GET apiRoot).
     * @returns {Promise<boolean>} resolves with logged_in (a 401 resolves false);
     *   rejects with {status, error, field} on any other failure.
     */
    checkAuth: function () {
      var session = this;
      return this._send('read', '', null).then(function (data) {
        session._setUser(data && data.user);
        return true;
      }, function (err) {
        if (err.status === 401) return false;
        return $.Deferred().reject(err).promise();
      });
    },

    /**
     * @param {{username: string, password: string}} credentials sent as-is, not kept
     * @returns {Promise<Object>} the server's {user}; rejects with {status, error, field}
     *   (401 for a wrong username or password)
     */
    login: function (credentials) {
      return this._logInWith('/login', _.pick(credentials || {}, 'username', 'password'));
    },

    /**
     * @param {{username: string, password: string, name: string=}} details sent as-is, not kept
     * @returns {Promise<Object>} the server's {user}; rejects with {status, error, field}
     *   (400 with the invalid field, 409 on `username` when taken)
     */
    signup: function (details) {
      return this._logInWith('/signup', _.pick(details || {}, 'username', 'password', 'name'));
    },

    /** @returns {Promise<Object>} ends the server session, then logged_in = false */
    logout: function () {
      return this._logOutWith('/logout');
    },

    /** @returns {Promise<Object>} deletes the account and its sessions, then logged_in = false */
    removeAccount: function () {
      return this._logOutWith('/remove_account');
    },

    _logInWith: function (path, body) {
      var session = this;
      return this._send('create', path, body).then(function (data) {
        session._setUser(data && data.user);
        return data;
      });
    },

    _logOutWith: function (path) {
      var session = this;
      return this._send('create', path, {}).then(function (data) {
        session._forgetUser();
        return data;
      });
    },

    /**
     * Sends one request through sync. `body` goes only into the request (never
     * onto a model). Resolves with the parsed JSON, rejects with {status, error, field}.
     */
    _send: function (method, path, body) {
      var options = { url: this.apiRoot + path, dataType: 'json' };
      if (body) {
        options.contentType = 'application/json';
        options.data = JSON.stringify(body);
      }
      return this.sync(method, this, options).then(function (data) {
        return data;
      }, function (xhr) {
        return $.Deferred().reject(toError(xhr)).promise();
      });
    },

    _setUser: function (user) {
      this.user.clear();
      this.user.set(user || {});
      this.set('logged_in', true);
    },

    _forgetUser: function () {
      this.set('logged_in', false);
      this.user.clear();
      this.user.set(_.result(this.user, 'defaults'));
    }
  });

  return SessionModel;
});
