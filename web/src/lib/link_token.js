/**
 * @module lib/link_token
 *
 * The one-time token of a mail's link (`/recover#token=T`, `/verify-email#token=T`,
 * `/undo-email#token=T`, docs/API.md "Email and recovery"). main.js calls capture()
 * before anything else runs: it reads the token from the fragment and at once
 * removes the fragment from the address bar with history.replaceState, so the
 * token stays neither in the history nor in a bookmark or a copied URL (a
 * fragment never reaches a server log or a Referer). The token is then held
 * here, in this module's closure, never on a model, in a view's attributes or
 * in web storage, until the page of that path takes it (take(): once).
 */
define([], function () {
  'use strict';

  var kPaths = { '/recover': true, '/verify-email': true, '/undo-email': true };
  var kToken = /^[A-Za-z0-9_-]{16,128}$/;

  var held = null; // {path, token}

  function normalPath(pathname) {
    return pathname.replace(/\/+$/, '') || '/';
  }

  return {
    /**
     * Takes the token out of the address bar (any fragment on a link path goes,
     * even one that is not a valid token) and keeps it for take().
     * @param {Location} location
     * @param {History} history
     * @returns {boolean} true when a token was captured
     */
    capture: function (location, history) {
      var path = normalPath(location.pathname);
      if (!kPaths[path] || !location.hash) return false;
      var params = new URLSearchParams(location.hash.slice(1));
      history.replaceState(history.state, '', location.pathname + location.search);
      var token = params.get('token');
      held = token && kToken.test(token) ? { path: path, token: token } : null;
      return held !== null;
    },

    /**
     * @param {string} path '/recover', '/verify-email' or '/undo-email'
     * @returns {?string} the token captured on that path (only once), else null
     */
    take: function (path) {
      if (!held || held.path !== path) return null;
      var token = held.token;
      held = null;
      return token;
    }
  };
});
