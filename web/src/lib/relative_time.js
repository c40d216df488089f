/**
 * @module lib/relative_time
 *
 * "3 minutes ago" for a server timestamp, with Intl.RelativeTimeFormat (no
 * library, no locale data to ship). Pure function apart from reading the clock.
 */
define([], function () {
  'use strict';

  // Largest unit first; a difference is shown in the largest unit it fills.
  var kUnits = [
    ['year', 365 * 24 * 3600],
    ['month', 30 * 24 * 3600],
    ['week', 7 * 24 * 3600],
    ['day', 24 * 3600],
    ['hour', 3600],
    ['minute', 60]
  ];

  var format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

  return {
    /**
     * @param {string} timestamp RFC 3339 (e.g. "2026-11-29T19:50:00Z")
     * @param {number=} now milliseconds since the epoch (default Date.now())
     * @returns {string} "just now", "3 minutes ago", "yesterday", "in 2 hours"...;
     *   "unknown" for an unparseable timestamp
     */
    fromNow: function (timestamp, now) {
      var then = Date.parse(timestamp);
      if (isNaN(then)) return 'unknown';
      var seconds = Math.round((then - (now == null ? Date.now() : now)) / 1000);
      // A clock slightly ahead of ours must not say "in 5 seconds".
      if (Math.abs(seconds) < 60) return 'just now';
      for (var i = 0; i < kUnits.length; i += 1) {
        var size = kUnits[i][1];
        if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), kUnits[i][0]);
      }
      return 'just now';
    }
  };
});
