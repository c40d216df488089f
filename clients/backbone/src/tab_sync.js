/**
 * @module latchkey-client/tab_sync
 *
 * TabSync: the tabs of one browser hear of each other's auth changes. All the
 * tabs (windows, frames) of an origin share the one session cookie, so a
 * login, logout or password change in one changes what every other may show;
 * a tab left as it was would go on showing the old user's name, sessions and
 * activity, and its next write would act for whoever is logged in now (issue
 * 18; Better Auth, SuperTokens and outline keep tabs in step the same way).
 * SessionModel makes one per page (option `tabSync`); it
 *   - tells the other tabs that the auth state changed: `post(reason)`, over a
 *     BroadcastChannel, or where the browser has none over a `storage` event
 *     of localStorage (never sessionStorage, which is per tab);
 *   - calls `onChange(reason)` when another tab said so, and `onShow()` when
 *     this tab comes back into view (`visibilitychange` to visible) or back
 *     from the back/forward cache (`pageshow` with `persisted`: a restored page
 *     missed every message while it was frozen).
 * The receiver asks the server (GET apiRoot) and believes only that answer.
 *
 * A message is `{reason, nonce}` and nothing else: every script of the origin
 * (and the browser's profile on disk, for localStorage) can read it, so it
 * never holds a user id, a name or a token. `reason` is one of kReasons; the
 * nonce makes every storage write a change, which is what fires the event.
 * The storage key is removed again at once, so nothing stays behind.
 */
define(['underscore'], function (_) {
  'use strict';

  var kReasons = ['login', 'logout', 'ended', 'password', 'profile'];

  function nonce() {
    var bytes = new Uint8Array(8);
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
    else for (var i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
    return _.map(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }

  /** @returns {?string} the reason of a received message, or null when it is none of ours */
  function reasonOf(message) {
    if (!message || typeof message !== 'object' || !_.contains(kReasons, message.reason)) return null;
    return message.reason;
  }

  /**
   * @constructor
   * @param {string} name the channel (and storage key) name; tabs with the same
   *   name hear each other
   * @param {{onChange: function(string), onShow: function()}} handlers
   */
  function TabSync(name, handlers) {
    var sync = this;
    this.name = name;
    this.channel = null;
    this.listeners = [];
    var changed = function (message) {
      var reason = reasonOf(message);
      if (reason) handlers.onChange(reason);
    };
    if (typeof window.BroadcastChannel === 'function') {
      this.channel = new window.BroadcastChannel(name);
      this.channel.onmessage = function (event) { changed(event.data); };
    } else {
      this.listen(window, 'storage', function (event) {
        if (event.key !== sync.name || !event.newValue) return; // the removal that follows each post
        try { changed(JSON.parse(event.newValue)); } catch (e) { /* not ours */ }
      });
    }
    // A page restored from the cache gets both events (Chromium: pageshow, then
    // visibilitychange): one check is enough.
    var showing = false;
    var shown = function () {
      if (showing) return;
      showing = true;
      window.setTimeout(function () { showing = false; }, 0);
      handlers.onShow();
    };
    this.listen(document, 'visibilitychange', function () {
      if (document.visibilityState === 'visible') shown();
    });
    this.listen(window, 'pageshow', function (event) {
      if (event.persisted) shown();
    });
  }

  _.extend(TabSync.prototype, /** @lends TabSync.prototype */ {
    listen: function (target, type, fn) {
      target.addEventListener(type, fn);
      this.listeners.push([target, type, fn]);
    },

    /**
     * Tells the other tabs. Best effort: storage can be full or disabled, and
     * then the other tabs still ask the server when they are next shown.
     * @param {string} reason one of kReasons
     */
    post: function (reason) {
      var message = { reason: reason, nonce: nonce() };
      try {
        if (this.channel) {
          this.channel.postMessage(message);
        } else {
          window.localStorage.setItem(this.name, JSON.stringify(message));
          window.localStorage.removeItem(this.name);
        }
      } catch (e) { /* see above */ }
    },

    /** Stops listening and posting. */
    close: function () {
      if (this.channel) this.channel.close();
      this.channel = null;
      _.each(this.listeners, function (l) { l[0].removeEventListener(l[1], l[2]); });
      this.listeners = [];
      this.post = function () {};
    }
  });

  /**
   * @param {string} name
   * @param {{onChange: function(string), onShow: function()}} handlers
   * @returns {?TabSync} null outside a browser
   */
  TabSync.start = function (name, handlers) {
    if (typeof window === 'undefined' || typeof document === 'undefined') return null;
    return new TabSync(name, handlers);
  };

  TabSync.reasons = kReasons.slice();

  return TabSync;
});
