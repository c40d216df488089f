/**
 * @module latchkey-client/email_recovery
 *
 * The email and recovery calls of a SessionModel, mixed into its prototype
 * (./session_model documents the contract): verifying an address (a mail
 * link's token or its code), a new verification mail, undoing an address
 * change, asking for a recovery mail and setting a new password with it.
 * Each goes through the session's one request path (`_send`, sync). A mail
 * link's token acts for whoever it was mailed to, not for the page's user:
 * those requests use sync's `auth: 'link'` (no expected user, the answer not
 * compared with the page's user) and apply an answer only when it names the
 * page's user. Tokens, codes and passwords go into the request body only.
 */
define(['underscore'], function (_) {
  'use strict';

  return /** @lends SessionModel.prototype */ {
    /**
     * Verifies an email address (POST apiRoot/email/verify) with the token of a
     * mail's link (no session needed; it may be another account's than the
     * page's) or the code of the mail (the logged-in user's). session.user
     * follows the answer when it is the page's user.
     * @param {{token: string}|{code: string}} proof sent, not kept
     * @returns {Promise<Object>} the server's {user}; rejects with 400
     *   `invalid_token` (field `token` or `code`), 409 `email_taken`, 429
     */
    verifyEmail: function (proof) {
      proof = proof || {};
      if (_.has(proof, 'token')) {
        return this._sendLink('/email/verify', { token: String(proof.token) }).then(this._applyOwnUser());
      }
      var session = this;
      return this._send('create', '/email/verify', { code: String(proof.code || '') }).then(function (data) {
        session.user.set(data && data.user);
        session._announce('profile');
        return data;
      });
    },

    /**
     * Mails a new link and code to the user's unverified address (POST
     * apiRoot/email/resend); the earlier ones stop working.
     * @returns {Promise<Object>} rejects with field `email` (no unverified address), 429
     */
    resendVerification: function () {
      return this._send('create', '/email/resend', {});
    },

    /**
     * Undoes an email change with the token of the link mailed to the old
     * address (POST apiRoot/email/undo): the old address is back, every
     * session of that user has ended (so when it was this page's user, the
     * page logs out: `session_ended`) and the password no longer works (whoever
     * changed the address may know it): a new one is set by recovery.
     * @param {{token: string}} proof sent, not kept
     * @returns {Promise<Object>} the server's {user, password_reset_required: true}; rejects with 400 `invalid_token`, 409 `email_taken`
     */
    undoEmailChange: function (proof) {
      var session = this;
      var token = String((proof && proof.token) || '');
      return this._sendLink('/email/undo', { token: token }).then(function (data) {
        var named = data && data.user ? data.user.id : undefined;
        if (session.get('logged_in') && named === session.user.get('id')) session._forgetUser(true);
        return data;
      });
    },

    /**
     * Asks for a recovery mail (POST apiRoot/recovery). The answer is the same
     * whether or not an account answers to `login`.
     * @param {{login: string}} request a username or an email address
     * @returns {Promise<Object>} 202 {success}; rejects with field `login`, 429 (`retryAfter`)
     */
    requestRecovery: function (request) {
      return this._sendLink('/recovery', { login: String((request && request.login) || '') });
    },

    /**
     * Sets a new password with a recovery mail's token, or its code and the
     * login, then signs this browser in as that user, as login does (every
     * other session of the user has ended). An account with a second factor
     * answers `{second_factor_required: true}` and stays logged out.
     * @param {{token: string=, code: string=, login: string=, new_password: string,
     *   remember: boolean=}} details sent, not kept
     * @returns {Promise<Object>} the server's {user}; rejects with 400
     *   `invalid_token` (field `token` or `code`), field `new_password` or `login`, 403, 429
     */
    completeRecovery: function (details) {
      var session = this;
      var body = this._credentials(details, ['token', 'code', 'login', 'new_password']);
      return this._send('create', '/recovery/complete', body, { auth: 'login' }).then(function (data) {
        if (data && data.user) session._setUser(data.user);
        return data;
      });
    },

    /** A POST for whoever a mail's token or a login names, not the page's user (sync `auth: 'link'`). */
    _sendLink: function (path, body) {
      return this._send('create', path, body, { auth: 'link' });
    },

    /** @returns {function(Object): Object} applies an answer's user when it is the page's user */
    _applyOwnUser: function () {
      var session = this;
      var epoch = this._epoch;
      return function (data) {
        var user = data && data.user;
        if (session.get('logged_in') && epoch === session._epoch && user && user.id === session.user.get('id')) {
          session.user.set(user);
          session._announce('profile');
        }
        return data;
      };
    }
  };
});
