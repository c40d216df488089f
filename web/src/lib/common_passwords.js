/**
 * @module lib/common_passwords
 *
 * The common-password list the server refuses new passwords from (docs/API.md
 * "Validation"), fetched once from /assets/common-passwords.txt (built by
 * web/common_passwords.js) the first time it is needed, then kept. Both sides
 * fold ASCII case only, so they give the same verdict.
 *
 * If the list cannot be fetched, every password passes here: the server still
 * decides, and a failed download must not stop anyone from signing up. The
 * next check tries again.
 */
define(['jquery'], function ($) {
  'use strict';

  var kUrl = '/assets/common-passwords.txt';

  var list = null; // Set of lowercase passwords, once fetched
  var loading = null; // the pending fetch

  /** ASCII-only lower case, as the server folds (identity/password_policy). */
  function asciiLower(s) {
    return s.replace(/[A-Z]+/g, function (m) { return m.toLowerCase(); });
  }

  function parse(text) {
    var set = new Set();
    text.split('\n').forEach(function (line) {
      var word = line.replace(/\r$/, '');
      if (word) set.add(asciiLower(word));
    });
    return set;
  }

  /** @returns {jQuery.Promise} resolves with the set (an empty one on failure) */
  function load() {
    if (!loading) {
      loading = $.ajax({ url: kUrl, dataType: 'text', cache: true }).then(function (text) {
        list = parse(text);
        return list;
      }, function () {
        loading = null; // try again next time
        return $.Deferred().resolve(new Set()).promise();
      });
    }
    return loading;
  }

  return {
    asciiLower: asciiLower,

    /**
     * @param {string} password
     * @returns {boolean|jQuery.Promise} whether the password is on the list;
     *   a promise of that answer while the list is being fetched
     */
    isCommon: function (password) {
      var key = asciiLower(password);
      if (list) return list.has(key);
      return load().then(function (set) { return set.has(key); });
    }
  };
});
