/**
 * @module lib/retry_message
 *
 * The words for a failed request a form shows in its alert: a 429 says when to
 * try again (Retry-After, `err.retryAfter`), anything else is the server's message.
 */
define([], function () {
  'use strict';

  function duration(seconds) {
    if (seconds < 60) return seconds + (seconds === 1 ? ' second' : ' seconds');
    var minutes = Math.ceil(seconds / 60);
    return minutes + (minutes === 1 ? ' minute' : ' minutes');
  }

  return {
    /**
     * @param {{status: number, error: string, retryAfter: ?number}} err a session method's rejection
     * @returns {string}
     */
    text: function (err) {
      if (err.status !== 429) return err.error;
      if (err.retryAfter == null) return 'Too many attempts. Please wait a while, then try again.';
      return 'Too many attempts. Please try again in ' + duration(err.retryAfter) + '.';
    }
  };
});
