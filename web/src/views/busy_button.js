/**
 * @module views/busy_button
 *
 * The loading indicator of every button that sends a request, in one place:
 * while the request runs the button is disabled (so a double click sends one
 * request), `aria-busy="true"`, and shows a Bootstrap spinner with
 * visually-hidden "Loading…" text before its busy label (the button's
 * `data-busy-label`, e.g. "Logging in…"; else its own label). When the request
 * ends, whatever the outcome, the button gets back its content and its former
 * `disabled` state.
 *
 *     busyButton.during($button, app.session.logout());
 *
 * A button that is already busy is left alone, so a second start() cannot lose
 * the saved content; views check isBusy() before sending.
 */
define(['jquery', 'underscore'], function ($, _) {
  'use strict';

  function spinner(label) {
    return '<span class="spinner-border spinner-border-sm me-2" data-testid="busy-spinner">' +
      '<span class="visually-hidden">Loading…</span></span>' +
      '<span class="busy-label">' + _.escape(label) + '</span>';
  }

  var busyButton = {
    /**
     * @param {jQuery} $button
     * @returns {boolean} true while a request started by this module runs
     */
    isBusy: function ($button) {
      return $button.attr('aria-busy') === 'true';
    },

    /**
     * Shows each of `$buttons` as busy.
     * @param {jQuery} $buttons
     * @returns {function()} restores the buttons this call made busy (idempotent)
     */
    start: function ($buttons) {
      // Kept here, not in $.data: a view that re-renders meanwhile (jQuery's html()
      // cleans the data of the nodes it drops) must not break the restore.
      var saved = [];
      $buttons.each(function () {
        var $button = $(this);
        if (busyButton.isBusy($button)) return;
        saved.push({ $button: $button, html: $button.html(), disabled: $button.prop('disabled') });
        var label = $button.attr('data-busy-label') || $button.text().trim();
        $button.prop('disabled', true).attr('aria-busy', 'true').html(spinner(label));
      });
      return _.once(function () {
        _.each(saved, function (s) {
          s.$button.removeAttr('aria-busy').html(s.html).prop('disabled', s.disabled);
        });
      });
    },

    /**
     * Shows `$buttons` as busy until `promise` settles.
     * @param {jQuery} $buttons
     * @param {jQuery.Promise} promise
     * @returns {jQuery.Promise} `promise`
     */
    during: function ($buttons, promise) {
      promise.always(busyButton.start($buttons));
      return promise;
    }
  };

  return busyButton;
});
