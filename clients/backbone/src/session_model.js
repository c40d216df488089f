/**
 * @module latchkey-client/session_model
 *
 * SessionModel: the client's single source of truth for "who is logged in",
 * for a cookie-session auth API (see docs/API.md). Drop-in for any Backbone app
 * that talks to such an API:
 *
 *     var session = new SessionModel(null, { apiRoot: '/api/auth' });
 *     session.on('change:logged_in', render);
 *     session.on('user:switched', render);
 *     session.checkAuth().then(startRouter);
 *
 * One per page: create it once, in a module of your own whose closure holds
 * it (Latchkey's web/src/app.js), never on `window`, where any other script
 * could reach the user's data and drive the API with the page's CSRF token.
 *
 * Options (second constructor argument):
 *   - `apiRoot`   {string} base URL of the auth endpoints (default '/api/auth'):
 *                 GET apiRoot, POST apiRoot/signup, /login, /logout, /remove_account,
 *                 /password, /sessions/revoke_others, /email/verify, /email/resend,
 *                 /email/undo, /recovery, /recovery/complete; PATCH apiRoot/user;
 *                 GET apiRoot/sessions, /events; DELETE apiRoot/sessions/{id}
 *   - `csrfToken` {string} CSRF token to send; by default it is read ONCE, at
 *                 construction, from `<meta name="csrf-token" content="...">`
 *                 (the server renders it into the page; it stays valid across
 *                 login, logout and password changes, so the page never needs
 *                 to re-read it)
 *   - `csrfMeta`  {string} name of that meta tag (default 'csrf-token')
 *   - `tabSync`   {string|boolean} the name tabs keep in step under (default
 *                 'latchkey-auth'; false: this page neither tells nor hears, and
 *                 does not re-check when shown). See "Tabs" below.
 *
 * Attributes:
 *   - `logged_in` {boolean} false until checkAuth/login/signup succeeds
 *
 * `session.user` is a UserModel (id, username, name, email, email_verified) that stays the same object
 * for the life of the page; it is cleared on logout. Its `id` is the user the
 * page is built for: what it shows, and whom its writes may act for.
 *
 * Every request goes through `sync` (./session_state, mixed in), the ONE place
 * that
 *   - adds, to requests that go to the page's own origin (./api_request),
 *     `X-CSRF-Token` to every one but GET/HEAD/OPTIONS, and while logged in
 *     `X-Latchkey-Expect-User: <user id>` to every one but the check of GET
 *     apiRoot; the server refuses such a request with 409 `user_mismatch` when
 *     the browser's session belongs to another user (another tab logged in as
 *     someone else), so a stale page never acts for the wrong user, nor shows
 *     another user's sessions, activity or app data under its user's name;
 *   - turns an error whose code says there is no live session
 *     (`unauthenticated`, `session_ended`) into `logged_in = false`: the session
 *     has ended on the server (expired, revoked from another device, password
 *     changed elsewhere). Any other error (`invalid_credentials` naming the
 *     current password, say) is about the input, and the session goes on;
 *   - refuses an answer that is not about the page's user: one that names
 *     another user (`{"user": {...}}` with another id), and any answer to a
 *     request sent before the page's user changed (logout, login, switch). Such
 *     an answer is never applied to a model; the request rejects with `stale`
 *     (code `user_mismatch` or `user_changed`), and on a mismatch the session
 *     asks the server who is logged in and follows (events below).
 * Views never build requests or headers themselves. (How a request and an
 * error look on the wire, JSON body, headers, error shape, is ./api_request.)
 *
 * Tabs (./tab_sync): every tab of the browser shares the session cookie. When
 * this page logs in, logs out, changes the password or the profile, or finds
 * the session ended or switched, it tells the other tabs ("auth changed", and
 * a reason; no user data); each of them, and this page whenever it becomes
 * visible again or is restored from the back/forward cache, re-checks GET
 * apiRoot and follows the answer.
 *
 * Methods return promises (jQuery). They resolve with the server's JSON (or
 * what the method documents) and reject with `{status, code, error, field,
 * ended, stale}`: the HTTP status (0 when the server was unreachable), the
 * server's error `code` (docs/API.md; null when unreachable), its `error`
 * message (for people, never decided on), the blamed `field` (or null), `ended`,
 * true when it is "your session has ended" (logged_in has already flipped;
 * nothing to show), and `stale`, true when the answer was about a user the page
 * no longer shows (the session is reloading; nothing to show either).
 *
 * Passwords, mail tokens and codes are never stored: methods that take one send
 * their argument as the request body and keep nothing of it. A 429's rejection
 * also carries `retryAfter` (seconds, from Retry-After).
 *
 * Events, each with the options of the change (below):
 *   - `change:logged_in` (and `change`) when the state flips;
 *   - `user:switched` when a check finds the browser logged in as another user
 *     than the page showed: `session.user` now holds the new user, and
 *     `deviceSessions` and `authEvents` are empty; re-render everything;
 *   - `user:mismatch` when a write was refused (409 `user_mismatch`) or an answer
 *     named another user: tell the user nothing was done; a check follows;
 *   - `elsewhere` (session, reason) when another tab changed this same user's
 *     password or profile: lists (sessions, activity) may be out of date.
 * Options of the changes: `session_ended: true` when logged_in flips to false
 * because the server ended the session (not because the user logged out or
 * removed the account here), so a router can tell the user why; `elsewhere:
 * reason` when another tab's message prompted the check (`login`, `logout`,
 * `ended`, `password`, `profile`); `mismatch: true` when a refused write did.
 * The usual Backbone `request` / `sync` / `error` events are not used.
 */
define(['underscore', 'backbone', './api_request', './user_model', './device_sessions',
  './auth_events', './tab_sync', './session_state', './email_recovery'],
function (_, Backbone, request, UserModel, DeviceSessionCollection, AuthEventCollection, TabSync,
  sessionState, emailRecovery) {
  'use strict';

  // The request path and the state changes are ./session_state's, the email and recovery
  // calls ./email_recovery's, mixed in.
  var SessionModel = Backbone.Model.extend(_.extend({}, sessionState, emailRecovery,
    /** @lends SessionModel.prototype */ {
    defaults: { logged_in: false },

    /**
     * @param {Object} [attrs] ignored except `logged_in`
     * @param {{apiRoot: string=, csrfToken: string=, csrfMeta: string=,
     *   tabSync: (string|boolean)=}} [options]
     */
    initialize: function (attrs, options) {
      options = options || {};
      var session = this;
      this.apiRoot = (options.apiRoot || '/api/auth').replace(/\/+$/, '');
      this.csrfToken = options.csrfToken != null ?
        String(options.csrfToken) : request.readCsrfToken(options.csrfMeta || 'csrf-token');
      this.user = new UserModel(null, { session: this });
      this.deviceSessions = new DeviceSessionCollection();
      this.authEvents = new AuthEventCollection();
      this._epoch = 0;        // bumped whenever the page's user changes (./session_state)
      this._checking = null;  // the check of GET apiRoot under way
      this._nextCheck = null; // the one check queued behind it
      this._settled = false;  // a check has answered (the first one tells no tab)
      this._tabs = options.tabSync === false ? null : TabSync.start(
        typeof options.tabSync === 'string' ? options.tabSync : 'latchkey-auth', {
          onChange: function (reason) { session._recheck({ elsewhere: reason }); },
          onShow: function () { session._recheck({}); }
        });
    },

    url: function () {
      return this.apiRoot;
    },

    /**
     * Asks the server who we are (GET apiRoot) and follows the answer: logs in,
     * switches to another user (`user:switched`) or logs out. Checks do not
     * pile up: one runs at a time, and calls meanwhile share one more after it.
     * @returns {Promise<boolean>} resolves with logged_in (no live session
     *   resolves false); rejects with {status, code, error, field, ended, stale}
     *   on any other failure.
     */
    checkAuth: function () {
      return this._recheck({});
    },

    /**
     * @param {{username: string, password: string, remember: boolean=}} credentials
     *   sent as-is, not kept; `remember` false asks for a browser-session cookie
     *   and the short idle timeout (the server's default is true)
     * @returns {Promise<Object>} the server's {user}; rejects as documented above
     *   (401 for a wrong username or password)
     */
    login: function (credentials) {
      return this._logInWith('/login', this._credentials(credentials, ['username', 'password']));
    },

    /**
     * @param {{username: string, password: string, name: string=, email: string=,
     *   remember: boolean=}} details sent as-is, not kept; an empty `email` is left out
     *   (the server then mails nothing; it answers 400 on `email` when it requires one)
     * @returns {Promise<Object>} the server's {user}; rejects as documented above
     *   (400 with the invalid field, 409 on `username` when taken)
     */
    signup: function (details) {
      var body = this._credentials(details, ['username', 'password', 'name', 'email']);
      if (body.email === '' || body.email == null) delete body.email;
      return this._logInWith('/signup', body);
    },

    /** @returns {Promise<Object>} ends the server session, then logged_in = false */
    logout: function () {
      return this._logOutWith('/logout', {}, { userLogout: true });
    },

    /**
     * Deletes the account and all its sessions, then logged_in = false.
     * @param {{password: string}} confirmation the user's password, sent, not kept
     * @returns {Promise<Object>} rejects with field `password` when it is wrong
     */
    removeAccount: function (confirmation) {
      // Not `userLogout`: a no-live-session answer means the session had ended and
      // the account was NOT removed, which the user must be told.
      return this._logOutWith('/remove_account', _.pick(confirmation || {}, 'password'));
    },

    /**
     * Changes the password. The server gives this browser a new session cookie
     * (the CSRF token stays valid) and ends every other session of the user.
     * @param {{current_password: string, new_password: string}} passwords sent, not kept
     * @returns {Promise<Object>} the server's {user}; rejects with field
     *   `current_password` (wrong) or `new_password` (breaks the rules)
     */
    changePassword: function (passwords) {
      var session = this;
      var body = _.pick(passwords || {}, 'current_password', 'new_password');
      return this._send('create', '/password', body).then(function (data) {
        session.user.set(data && data.user);
        session.deviceSessions.reset(session.deviceSessions.filter(function (s) { return s.isCurrent(); }));
        session._announce('password');
        return data;
      });
    },

    /**
     * Updates the profile (PATCH apiRoot/user); session.user follows the answer,
     * so views of the user re-render. A new `email` is unverified until the
     * link or code mailed to it is used ("" removes the address); an `email`
     * needs `current_password` (a name alone does not).
     * @param {{name: string=, email: string=, current_password: string=}} profile
     *   sent as-is, not kept
     * @returns {Promise<Object>} the server's {user}; rejects with field `name`
     *   or `email` (400 rules, 409 `email_taken`), `current_password` (400
     *   missing, 401 wrong), 429 (too many mails)
     */
    updateProfile: function (profile) {
      var session = this;
      return this._send('patch', '/user', _.pick(profile || {}, 'name', 'email', 'current_password')).then(function (data) {
        session.user.set(data && data.user);
        session._announce('profile');
        return data;
      });
    },

    /**
     * Fetches the user's recent account activity (GET apiRoot/events) into `authEvents`.
     * @returns {Promise<AuthEventCollection>} the same collection every time, reset to
     *   the server's list (newest first, at most 50)
     */
    events: function () {
      var list = this.authEvents;
      return this._send('read', '/events', null).then(function (data) {
        list.reset((data && data.events) || [], { parse: true });
        return list;
      });
    },

    /**
     * Fetches the user's sessions (GET apiRoot/sessions) into `deviceSessions`.
     * @returns {Promise<DeviceSessionCollection>} the same collection every time,
     *   reset to the server's list (newest first)
     */
    sessions: function () {
      var list = this.deviceSessions;
      return this._send('read', '/sessions', null).then(function (data) {
        list.reset((data && data.sessions) || [], { parse: true });
        return list;
      });
    },

    /**
     * Ends one session of the user (DELETE apiRoot/sessions/{id}) and drops it
     * from `deviceSessions`. Revoking this browser's own session logs out.
     * @param {string} id the session's public id
     * @returns {Promise<Object>} rejects with 404 for an id the user has not
     */
    revokeSession: function (id) {
      var session = this;
      var current = this.deviceSessions.get(id);
      var isCurrent = current ? current.isCurrent() : false;
      return this._send('delete', '/sessions/' + encodeURIComponent(id), null).then(function (data) {
        session.deviceSessions.remove(id);
        if (isCurrent) session._forgetUser(false);
        return data;
      });
    },

    /**
     * Ends every session of the user but this one (POST apiRoot/sessions/revoke_others).
     * @returns {Promise<Object>} the server's {success, revoked}
     */
    revokeOtherSessions: function () {
      var list = this.deviceSessions;
      return this._send('create', '/sessions/revoke_others', {}).then(function (data) {
        list.remove(list.others());
        return data;
      });
    },

    /** Stops keeping in step with the other tabs (for a page that drops its session). */
    stopTabSync: function () {
      if (this._tabs) this._tabs.close();
      this._tabs = null;
    },

    /** Picks `fields` and a boolean `remember` (when given) from a login or signup argument. */
    _credentials: function (input, fields) {
      input = input || {};
      var body = _.pick(input, fields);
      if (_.has(input, 'remember')) body.remember = input.remember === true;
      return body;
    },

    _logInWith: function (path, body) {
      var session = this;
      return this._send('create', path, body, { auth: 'login' }).then(function (data) {
        session._setUser(data && data.user);
        return data;
      });
    },

    _logOutWith: function (path, body, extra) {
      var session = this;
      return this._send('create', path, body, _.extend({ auth: 'logout' }, extra)).then(function (data) {
        session._forgetUser(false);
        return data;
      });
    },

    /** Sends one JSON request to apiRoot + path through sync (see ./api_request). */
    _send: function (method, path, body, extra) {
      return request.send(this, method, this.apiRoot + path, body, extra);
    }
  }));

  return SessionModel;
});
