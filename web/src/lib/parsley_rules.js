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
 * `data-parsley-emailaddress="true"`: the server's email rules (identity/email.cpp,
 * docs/API.md "Validation"), checked in its order with its messages: at most 254
 * bytes; one `@`; a local part of 1-64 plain ASCII characters of the allowed
 * set and dots (none first, last or doubled); a domain of two or more labels
 * of letters, digits and hyphens (1-63, no hyphen first or last), so an
 * international domain only in its ASCII form (`xn--`).
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

  var kAtext = /^[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]$/;
  var kLabel = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
  var kNonAscii = /[^\x00-\x7F]/;

  // The server's messages (identity/email.cpp), word for word, in the order it checks.
  var kEmailMessages = {
    length: 'Email address must be at most 254 characters long',
    at: 'Email address must contain exactly one @',
    localEmpty: 'Email address needs a name before the @',
    localLong: 'The part before the @ must be at most 64 characters long',
    localAscii: 'The part before the @ must be plain ASCII',
    localDots: 'The part before the @ must not start or end with a dot or hold two dots',
    localChar: 'The part before the @ holds a character that is not allowed',
    domainEmpty: 'Email address needs a domain after the @',
    domainAscii: 'Write an international domain in its ASCII form (xn--...)',
    domainLabel: 'The domain after the @ is not a valid domain name',
    domainDot: 'The domain after the @ needs a dot (example.org)'
  };

  function utf8Length(value) {
    return new TextEncoder().encode(value).length;
  }

  /** @returns {?string} the key of the first rule `value` breaks, as the server checks them, or null */
  function emailProblem(value) {
    if (utf8Length(value) > 254) return 'length';
    var parts = value.split('@');
    if (parts.length !== 2) return 'at';
    var local = parts[0];
    var domain = parts[1];
    if (!local) return 'localEmpty';
    if (utf8Length(local) > 64) return 'localLong';
    if (kNonAscii.test(local)) return 'localAscii';
    if (local[0] === '.' || local[local.length - 1] === '.' || local.indexOf('..') >= 0) return 'localDots';
    if (!_.every(local.replace(/\./g, '').split(''), function (c) { return kAtext.test(c); })) return 'localChar';
    if (!domain) return 'domainEmpty';
    if (kNonAscii.test(domain)) return 'domainAscii';
    var labels = domain.split('.');
    if (!_.every(labels, function (label) { return kLabel.test(label); })) return 'domainLabel';
    if (labels.length < 2) return 'domainDot';
    return null;
  }

  // One rule, the server's message for the first check that fails: the message is set just
  // before Parsley reads it (after validation, for the field just validated).
  Parsley.addValidator('emailaddress', {
    requirementType: 'boolean',
    validateString: function (value) {
      var problem = emailProblem(value);
      if (problem) Parsley.addMessage('en', 'emailaddress', kEmailMessages[problem]);
      return problem === null;
    },
    messages: { en: kEmailMessages.at }
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
