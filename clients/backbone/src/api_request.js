/**
 * @module latchkey-client/api_request
 *
 * The wire side of the auth API (docs/API.md) for SessionModel: the CSRF
 * token from the page, the CSRF header on state-changing requests, JSON
 * request bodies, and the one error shape every failed request rejects with:
 * `{status, code, error, field, ended}` (see ./session_model). It keeps no state:
 * which token to send, and what an ended session means, are the session's.
 */
define(['jquery', 'underscore', 'backbone'], function ($, _, Backbone) {
  'use strict';

  var kVerbs = { create: 'POST', update: 'PUT', patch: 'PATCH', 'delete': 'DELETE', read: 'GET' };

  return {
    /**
     * @param {string} metaName the name of the page's `<meta>` holding the token
     * @returns {string} its content ('' when there is none)
     */
    readCsrfToken: function (metaName) {
      return $('meta[name="' + metaName + '"]').attr('content') || '';
    },

    /**
     * Backbone.sync with `X-CSRF-Token` added to every non-GET/HEAD request.
     * @param {string} method a Backbone sync method ('read', 'create', ...)
     * @param {Backbone.Model} model
     * @param {Object} options Backbone.sync options (not modified)
     * @param {string} csrfToken
     * @returns {jqXHR}
     */
    sync: function (method, model, options, csrfToken) {
      options = _.extend({}, options);
      var verb = String(options.type || kVerbs[method] || 'GET').toUpperCase();
      if (verb !== 'GET' && verb !== 'HEAD') {
        options.headers = _.extend({}, options.headers, { 'X-CSRF-Token': csrfToken });
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
     *   {status, code, error, field, ended}
     */
    send: function (model, method, url, body, extra) {
      var options = _.extend({ url: url, dataType: 'json' }, extra);
      if (body) {
        options.contentType = 'application/json';
        options.data = JSON.stringify(body);
      }
      var toError = this.toError;
      return model.sync(method, model, options).then(function (data) {
        return data;
      }, function (xhr) {
        return $.Deferred().reject(toError(xhr)).promise();
      });
    },

    /**
     * Turns a failed jqXHR into the {status, code, error, field, ended} the
     * promises reject with. Decisions use `code` (the server's stable error
     * code, docs/API.md "Errors"; null when the body has none) and `field`,
     * never the message, which is for people: `ended` is true for the codes
     * that mean "no live session" (unauthenticated, session_ended).
     * @param {jqXHR} xhr
     * @returns {{status: number, code: ?string, error: string, field: ?string, ended: boolean}}
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
      return { status: status, code: code, error: message, field: field, ended: ended };
    }
  };
});
