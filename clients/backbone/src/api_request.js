/**
 * @module latchkey-client/api_request
 *
 * The wire side of the auth API (docs/API.md) for SessionModel: the CSRF
 * token from the page, the headers of state-changing requests, JSON request
 * bodies, and the one error shape every failed request rejects with:
 * `{status, code, error, field, ended, stale, retryAfter}` (see ./session_model). It keeps no
 * state: which token and user to send, and what an ended session means, are
 * the session's.
 *
 * The CSRF token and the expected user go only to the page's own origin. Both
 * are worth something to another site (the token passes Latchkey's CSRF check
 * for this browser; the user id names the person), and an app may give an
 * absolute `apiRoot`, or a model a URL built from input. Whether a URL is
 * same-origin is decided as the browser will resolve it (`new URL` against the
 * document's base URL): never by looking at its first characters, which
 * misreads ` //evil.example`, `/\evil.example`, `HTTPS://evil.example` and
 * the like (jquery-ujs CVE-2015-1840 sent its token that way).
 */
define(['jquery', 'underscore', 'backbone'], function ($, _, Backbone) {
  'use strict';

  var kVerbs = { create: 'POST', update: 'PUT', patch: 'PATCH', 'delete': 'DELETE', read: 'GET' };
  // RFC 9110 9.2.1: the safe methods change nothing, so they carry neither header.
  var kSafe = { GET: true, HEAD: true, OPTIONS: true };
  // Codes of answers about a user the page no longer shows (see toError).
  var kStale = { user_mismatch: true, user_changed: true };

  var request = {
    /**
     * @param {string} metaName the name of the page's `<meta>` holding the token
     * @returns {string} its content ('' when there is none)
     */
    readCsrfToken: function (metaName) {
      return $('meta[name="' + metaName + '"]').attr('content') || '';
    },

    /**
     * @param {*} url a request URL as a request would be given it: relative,
     *   absolute, protocol-relative, with stray spaces or backslashes
     * @returns {boolean} true when a request to it goes to the page's own origin
     *   (false for anything that does not parse, and on a page whose origin is
     *   opaque, such as a sandboxed frame or a file: URL)
     */
    isSameOrigin: function (url) {
      if (url == null || typeof window === 'undefined' || !window.location) return false;
      var own = window.location.origin;
      if (!own || own === 'null') return false;
      try {
        // XHR resolves against the document's base URL, which a <base href> can move off
        // the page's origin: so does this check.
        var base = (typeof document !== 'undefined' && document.baseURI) || window.location.href;
        return new URL(String(url), base).origin === own;
      } catch (e) {
        return false;
      }
    },

    /**
     * Backbone.sync with, on requests to the page's own origin, `X-CSRF-Token`
     * (every method but GET/HEAD/OPTIONS) and, when given,
     * `X-Latchkey-Expect-User` (every method): the id of the user the page
     * shows, so that the server refuses (409 `user_mismatch`) a change meant
     * for that user, or an answer about another, when the browser's session
     * now belongs to another (docs/API.md).
     * @param {string} method a Backbone sync method ('read', 'create', ...)
     * @param {Backbone.Model} model
     * @param {Object} options Backbone.sync options (not modified)
     * @param {string} csrfToken
     * @param {?number=} expectUser the user id the request acts for; null or
     *   undefined for none (logged out, or a login that chooses the user)
     * @returns {jqXHR}
     */
    sync: function (method, model, options, csrfToken, expectUser) {
      options = _.extend({}, options);
      var verb = String(options.type || kVerbs[method] || 'GET').toUpperCase();
      var url = options.url != null ? options.url : _.result(model, 'url');
      if (request.isSameOrigin(url)) {
        var headers = {};
        if (!kSafe[verb]) headers['X-CSRF-Token'] = csrfToken;
        if (expectUser != null) headers['X-Latchkey-Expect-User'] = String(expectUser);
        options.headers = _.extend({}, options.headers, headers);
      }
      return Backbone.sync(method, model, options);
    },

    /**
     * Sends one JSON request through `model.sync`. `body` goes only into the
     * request (never onto a model).
     * @param {Backbone.Model} model whose sync sends it
     * @param {string} method a Backbone sync method
     * @param {string} url
     * @param {?Object} body sent as JSON when given
     * @param {Object=} extra more sync options
     * @returns {jQuery.Promise} resolves with the parsed JSON, rejects with
     *   {status, code, error, field, ended, stale}
     */
    send: function (model, method, url, body, extra) {
      var options = _.extend({ url: url, dataType: 'json' }, extra);
      if (body) {
        options.contentType = 'application/json';
        options.data = JSON.stringify(body);
      }
      return model.sync(method, model, options).then(function (data) {
        return data;
      }, function (xhr) {
        return $.Deferred().reject(request.toError(xhr)).promise();
      });
    },

    /**
     * Turns a failed jqXHR into the {status, code, error, field, ended, stale}
     * the promises reject with. Decisions use `code` (the server's stable error
     * code, docs/API.md "Errors"; null when the body has none) and `field`,
     * never the message, which is for people. Two flags name groups of codes:
     *   - `ended`: no live session (`unauthenticated`, `session_ended`);
     *   - `stale`: the answer concerns a user the page no longer shows: the
     *     server's 409 `user_mismatch`, the same code when SessionModel finds an
     *     answer naming another user, or `user_changed` when the page's user
     *     changed while the request was under way. The session is reloading.
     * @param {jqXHR|{status: number, responseJSON: Object}} xhr
     * `retryAfter` is the answer's Retry-After in seconds (a 429's), or null.
     * @returns {{status: number, code: ?string, error: string, field: ?string, ended: boolean,
     *   stale: boolean, retryAfter: ?number}}
     */
    toError: function (xhr) {
      var body = xhr.responseJSON;
      if (!body && xhr.responseText) {
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      }
      var status = xhr.status || 0;
      var message = body && typeof body.error === 'string' ? body.error : null;
      if (!message) message = status ? 'Request failed (HTTP ' + status + ')' : 'Cannot reach the server';
      var field = body && typeof body.field === 'string' ? body.field : null;
      var code = body && typeof body.code === 'string' ? body.code : null;
      var ended = code === 'unauthenticated' || code === 'session_ended';
      var retry = typeof xhr.getResponseHeader === 'function' ? xhr.getResponseHeader('Retry-After') : null;
      var retryAfter = retry != null && /^\d+$/.test(String(retry).trim()) ? parseInt(retry, 10) : null;
      return { status: status, code: code, error: message, field: field, ended: ended,
        stale: _.has(kStale, code), retryAfter: retryAfter };
    }
  };

  return request;
});
