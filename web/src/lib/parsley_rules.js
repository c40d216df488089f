/**
 * @module lib/parsley_rules
 *
 * Registers the Parsley validators the server rules need beyond Parsley's own
 * and returns the form options every form of ours uses.
 *
 * `data-parsley-codepoints="[min, max]"`: length in Unicode code points, the
 * unit the server counts in (Parsley's `length` counts UTF-16 units, so a
 * password of four emoji would pass it and then fail on the server).
 */
define(['underscore', 'parsley'], function (_, Parsley) {
  'use strict';

  function codePoints(value) {
    return Array.from(value).length;
  }

  Parsley.addValidator('codepoints', {
    requirementType: ['integer', 'integer'],
    validateString: function (value, min, max) {
      var n = codePoints(value);
      return n >= min && n <= max;
    },
    messages: { en: 'This value should be between %s and %s characters long.' }
  });

  /**
   * Parsley options for a form whose fields sit in `.field` groups that hold a
   * `.field-errors` element: client and server errors for a field go there.
   */
  var kFormOptions = {
    errorClass: 'is-invalid',
    successClass: '',
    focus: 'first',
    errorsWrapper: '<ul class="field-errors-list"></ul>',
    errorTemplate: '<li></li>',
    errorsContainer: function (field) {
      return field.$element.closest('.field').find('.field-errors');
    }
  };

  return {
    /** @returns {Object} a copy of the shared Parsley form options */
    formOptions: function () {
      return _.clone(kFormOptions);
    }
  };
});
