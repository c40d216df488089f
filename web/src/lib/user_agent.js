/**
 * @module lib/user_agent
 *
 * Turns a User-Agent string into a short device label for the session list,
 * such as "Chrome 126 on Windows" or "Safari 17 on iOS", with ua-parser-js
 * (MIT; 1.x, since 2.x is AGPL). Pure function, no state.
 */
define(['uaparser'], function (UAParser) {
  'use strict';

  var kUnknown = 'Unknown device';

  return {
    /**
     * @param {string} userAgent as the server reports it (may be empty)
     * @returns {string} "<browser> <major version> on <OS>", as much of it as
     *   the string tells, or "Unknown device"
     */
    describe: function (userAgent) {
      if (!userAgent) return kUnknown;
      var result = new UAParser(String(userAgent)).getResult();
      var browser = [result.browser.name, result.browser.major].filter(Boolean).join(' ');
      var os = result.os.name || '';
      if (browser && os) return browser + ' on ' + os;
      return browser || os || kUnknown;
    }
  };
});
