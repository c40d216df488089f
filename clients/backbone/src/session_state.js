/**
 * @module latchkey-client/session_state
 *
 * How a SessionModel's state changes, mixed into its prototype (./session_model
 * documents the contract): the one request path (`sync`: headers, the 401 rule,
 * the refusal of answers about another user), the checks of GET apiRoot
 * (`_recheck`: one at a time, one more queued behind), and the three changes of
 * who the page is for (`_setUser`: login or switch; `_forgetUser`: logout or
 * ended), each telling the other tabs (./tab_sync) unless they told this one.
 *
 * `_epoch` counts the changes of the page's user. A request remembers the epoch
 * and the user it was sent for; its answer is applied only if neither changed
 * meanwhile (login and logout answers excepted: they say what the browser is
 * now), so a slow answer for the old user never fills the new user's page.
 */
define(['jquery', 'underscore', './api_request'], function ($, _, request) {
  'use strict';

  var kMismatch = 'Nothing was changed: this page was showing another account than the one now ' +
    'logged in in this browser.';
  var kUserChanged = 'The account logged in changed while this request was under way.';
  var kNoUser = 'The server did not say who is logged in.';

  /** A rejected answer in the shape of a failed jqXHR, for request.toError. */
  function refusal(status, code, message) {
    return { status: status, responseJSON: { error: message, code: code, field: null } };
  }

  return /** @lends SessionModel.prototype */ {
    /**
     * The one request path (./session_model says what it does); used by the model, its
     * UserModel, and any model an app points at it. Private options:
     * `auth` 'login' (login, signup, recovery: no expected user, the answer's user is the
     * new one), 'link' (a mail link's token, or a recovery request: acts for whoever the
     * link or login names, so no expected user, and its answer is not compared with the
     * page's user: the method applies it only when it is the page's user), 'check' (GET apiRoot: its user is applied, not compared) or
     * 'logout' (logout, account removal: the answer ends the page's user
     * whatever happened meanwhile); `userLogout` marks the logout the user asked
     * for: a no-live-session answer to it logs out without `session_ended`,
     * since the user is leaving anyway; `cause`, options for the events of a
     * state change it brings. Returns a promise (with `abort`) that settles
     * after the checks, as Backbone's success and error callbacks are called.
     */
    sync: function (method, model, options) {
      options = _.extend({}, options);
      var flags = _.pick(options, 'auth', 'userLogout', 'cause');
      var success = options.success;
      var error = options.error;
      options = _.omit(options, 'auth', 'userLogout', 'cause', 'success', 'error');
      var session = this;
      var sent = { epoch: this._epoch, user: this.get('logged_in') ? this.user.get('id') : null };
      // Login chooses the user and the check asks who it is: neither names one.
      var xhr = request.sync(method, model, options, this.csrfToken,
        flags.auth === 'login' || flags.auth === 'check' || flags.auth === 'link' ? null : sent.user);
      var answer = $.Deferred();
      xhr.then(function (data, textStatus, jqxhr) {
        var refused = session._refuse(data, sent, flags.auth, jqxhr);
        if (refused) {
          if (error) error.call(options.context, refused, 'error', refused.responseJSON.error);
          answer.reject(refused, 'error', refused.responseJSON.error);
          return;
        }
        if (success) success.call(options.context, data, textStatus, jqxhr);
        answer.resolve(data, textStatus, jqxhr);
      }, function (jqxhr, textStatus, thrown) {
        session._failed(request.toError(jqxhr), sent, flags);
        if (error) error.call(options.context, jqxhr, textStatus, thrown);
        answer.reject(jqxhr, textStatus, thrown);
      });
      return answer.promise({ abort: function () { xhr.abort(); return this; } });
    },

    /**
     * @returns {?Object} why a successful answer must not be applied (a failed
     *   jqXHR's shape), or null when it may
     */
    _refuse: function (data, sent, auth, jqxhr) {
      // Login and logout answers say what the browser is now, whatever came before.
      if (auth === 'login' || auth === 'logout' || auth === 'link') return null;
      if (this._epoch !== sent.epoch) return refusal(jqxhr.status, 'user_changed', kUserChanged);
      var named = data && data.user && typeof data.user === 'object' ? data.user.id : undefined;
      if (auth !== 'check' && sent.user != null && named !== undefined && named !== sent.user) {
        this._mismatch();
        return refusal(jqxhr.status, 'user_mismatch', kMismatch);
      }
      return null;
    },

    /** What a failed answer means for the session. */
    _failed: function (err, sent, flags) {
      // A failure about a user the page no longer shows says nothing about the one it does.
      if (this._epoch !== sent.epoch && flags.auth !== 'logout') return;
      if (err.ended) this._forgetUser(flags.userLogout !== true, flags.cause);
      else if (err.code === 'user_mismatch') this._mismatch();
    },

    /** A write was refused or an answer named another user: say so, then ask who it is. */
    _mismatch: function () {
      this.trigger('user:mismatch', this);
      this._recheck({ mismatch: true });
    },

    /** checkAuth with the cause of the check; see checkAuth. */
    _recheck: function (cause) {
      var session = this;
      if (!this._checking) {
        var check = this._check(cause);
        this._checking = check;
        check.always(function () { session._checking = null; });
        return check;
      }
      if (this._nextCheck) {
        var queued = this._nextCheck.cause;
        _.extend(queued, cause, { mismatch: queued.mismatch || cause.mismatch });
        return this._nextCheck.promise;
      }
      var next = { cause: _.clone(cause), deferred: $.Deferred() };
      next.promise = next.deferred.promise();
      this._nextCheck = next;
      this._checking.always(function () {
        session._nextCheck = null;
        session._recheck(next.cause).then(next.deferred.resolve, next.deferred.reject);
      });
      return next.promise;
    },

    _check: function (cause) {
      var session = this;
      cause = _.extend({ check: true }, _.omit(cause, _.isUndefined));
      return this._send('read', '', null, { auth: 'check', cause: cause }).then(function (data) {
        if (!data || !data.user || typeof data.user !== 'object' || data.user.id == null) {
          // Not an answer about anyone: keep what the page shows.
          return $.Deferred().reject({ status: 200, code: null, error: kNoUser, field: null,
            ended: false, stale: false }).promise();
        }
        session._setUser(data.user, cause);
        session._settled = true;
        return true;
      }, function (err) {
        if (err.ended) session._settled = true;
        if (err.ended || err.stale) return session.get('logged_in');
        return $.Deferred().reject(err).promise();
      });
    },

    /** Applies the user an answer names: a login, the same user again, or a switch. */
    _setUser: function (user, cause) {
      cause = cause || {};
      var next = _.extend(_.result(this.user, 'defaults'),
        _.pick(user || {}, 'id', 'username', 'name', 'email', 'email_verified'));
      var was = this.get('logged_in');
      var switched = was && this.user.get('id') !== next.id;
      if (switched) {
        this._epoch += 1;
        this.deviceSessions.reset();
        this.authEvents.reset();
        this.user.clear();
      } else if (!was) {
        this._epoch += 1;
      }
      this.user.set(next);
      this.set('logged_in', true, _.omit(cause, 'check'));
      if (switched) this.trigger('user:switched', this, _.omit(cause, 'check'));
      if (!was || switched) this._announce('login', cause);
      else if (cause.elsewhere) this.trigger('elsewhere', this, cause.elsewhere);
    },

    /**
     * @param {boolean} ended true when the server ended the session (not the user)
     * @param {Object=} cause
     */
    _forgetUser: function (ended, cause) {
      cause = cause || {};
      var was = this.get('logged_in');
      if (was) this._epoch += 1;
      this.deviceSessions.reset();
      this.authEvents.reset();
      this.set('logged_in', false, _.extend({ session_ended: ended === true }, _.omit(cause, 'check')));
      this.user.clear();
      this.user.set(_.result(this.user, 'defaults'));
      if (was) this._announce(ended ? 'ended' : 'logout', cause);
    },

    /**
     * Tells the other tabs, unless they told this one (they know), or this is
     * what the page's first check found (nothing changed for them).
     */
    _announce: function (reason, cause) {
      cause = cause || {};
      if (!this._tabs || cause.elsewhere || (cause.check && !this._settled)) return;
      this._tabs.post(reason);
    }
  };
});
