/**
 * @module lib/parsley_rules
 *
 * Registers the Parsley validators the server rules need beyond Parsley's own
 * and returns the form options every form of ours uses, and the server's input
 * rules as Parsley attributes (for the form-field partial, templates/form_field).
 *
 * `data-parsley-codepoints="[min, max]"`: length in Unicode code points, the
 * unit the server counts in (Parsley's `length` counts UTF-16 units, so a
 * password of four emoji would pass it and then fail on the server).
 *
 * New passwords (signup, password change) also get the server's list rules
 * (NIST SP 800-63B 5.1.1.2), checked after the length rule:
 * `data-parsley-notcommon="true"`: not on the common-password list
 * (lib/common_passwords; the first check may wait for the list to download,
 * so forms validate with whenValidate, views/form_view);
 * `data-parsley-notusername="SELECTOR"`: not the value of the username input
 * SELECTOR. Both fold ASCII case, as the server does.
 *
 * Email addresses (server: identity/email.*, docs/API.md "Validation"):
 * `data-parsley-emailascii`: ASCII only (an international domain in its
 * `xn--` form); `data-parsley-emailaddress`: one `@`, a local part of 1-64
 * of the allowed characters and dots (none first, last or doubled), a domain
 * of two or more labels of letters, digits and hyphens (1-63, no hyphen first
 * or last); `data-parsley-maxlength="254"`.
 */
define(['jquery', 'underscore', 'parsley', 'lib/common_passwords'],
function ($, _, Parsley, commonPasswords) {
  'use strict';

  // Below the other rules' priorities (custom validators default to 2): these
  // run only once the length rule passes, so one message shows at a time.
  var kListRulePriority = 1;

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

  Parsley.addValidator('notcommon', {
    requirementType: 'boolean',
    validateString: function (value, enabled) {
      if (!enabled) return true;
      var common = commonPasswords.isCommon(value);
      if (typeof common === 'boolean') return !common;
      // Parsley counts a resolved promise as valid, a rejected one as not.
      return common.then(function (isCommon) {
        return isCommon ? $.Deferred().reject().promise() : true;
      });
    },
    priority: kListRulePriority,
    messages: { en: 'This password is too common. Choose another.' }
  });

  Parsley.addValidator('notusername', {
    requirementType: 'string',
    validateString: function (value, selector) {
      var username = $(selector).val() || '';
      return !username || commonPasswords.asciiLower(value) !== commonPasswords.asciiLower(username);
    },
    priority: kListRulePriority,
    messages: { en: 'The password must not be the same as the username.' }
  });

  var kLocalPart = /^[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]+)*$/;
  var kLabel = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

  /** @returns {boolean} true when `value` passes the server's address syntax (ASCII assumed) */
  function isEmailAddress(value) {
    var parts = value.split('@');
    if (parts.length !== 2) return false;
    var local = parts[0];
    var labels = parts[1].split('.');
    if (local.length < 1 || local.length > 64 || !kLocalPart.test(local)) return false;
    return labels.length >= 2 && _.every(labels, function (label) { return kLabel.test(label); });
  }

  Parsley.addValidator('emailascii', {
    requirementType: 'boolean',
    validateString: function (value) {
      return /^[\x00-\x7F]*$/.test(value);
    },
    priority: 3,
    messages: { en: 'Use ASCII characters only. Write an international domain in its ASCII ' +
      'form, which starts with xn-- (for example xn--bcher-kva.example for bücher.example).' }
  });

  Parsley.addValidator('emailaddress', {
    requirementType: 'boolean',
    validateString: isEmailAddress,
    priority: 2,
    messages: { en: 'Enter an address like name@example.org: one @, at most 64 characters ' +
      'before it, and a domain name after it.' }
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

  /** The server's input rules, as attributes of the input they check. */
  var kInputRules = {
    username: {
      'data-parsley-required': 'true',
      'data-parsley-pattern': '^[A-Za-z0-9._-]{3,32}$',
      'data-parsley-pattern-message': 'Use 3 to 32 letters, digits, dots, underscores or hyphens.'
    },
    password: {
      'data-parsley-required': 'true',
      'data-parsley-codepoints': '[8, 1024]'
    },
    name: {
      'data-parsley-codepoints': '[0, 100]',
      'data-parsley-pattern': '^[^\\x00-\\x1F\\x7F-\\x9F]*$',
      'data-parsley-pattern-message': 'Control characters are not allowed.'
    },
    email: {
      'data-parsley-maxlength': '254',
      'data-parsley-maxlength-message': 'Use at most 254 characters.',
      'data-parsley-emailascii': 'true',
      'data-parsley-emailaddress': 'true'
    }
  };

  return {
    /** @returns {Object} a copy of the shared Parsley form options */
    formOptions: function () {
      return _.clone(kFormOptions);
    },

    /**
     * @returns {{username: Object, password: Object, name: Object, email: Object,
     *   newPassword: function(string): Object,
     *   confirmPassword: function(string): Object}} copies of the input rules
     *   (attribute name -> value); newPassword(selector) is password plus the
     *   list rules, with `selector` the username input; confirmPassword(selector)
     *   requires the same value as the password input `selector`
     */
    inputRules: function () {
      return _.extend(_.mapObject(kInputRules, _.clone), {
        newPassword: function (usernameSelector) {
          return _.extend(_.clone(kInputRules.password), {
            'data-parsley-notcommon': 'true',
            'data-parsley-notusername': usernameSelector
          });
        },
        confirmPassword: function (selector) {
          return {
            'data-parsley-required': 'true',
            'data-parsley-equalto': selector,
            'data-parsley-equalto-message': 'The passwords do not match.'
          };
        }
      });
    }
  };
});
