/**
 * @module views/form_errors
 *
 * Validation and error display shared by the forms (login, signup).
 * A form is validated by Parsley before any request; a server error
 * `{status, error, field}` is shown next to the input named `field` in that
 * form, or in the form's general alert when there is no such input.
 *
 * Accessibility (WCAG 3.3.1, 1.3.1): an input in error has
 * `aria-invalid="true"` and stays described by its hint and its errors
 * (`aria-describedby` from the form-field partial's `data-describedby`, which
 * Parsley would otherwise overwrite with its own list's id); Parsley focuses
 * the first invalid input of a failed submit, and showServerError focuses the
 * input the server blamed.
 */
define(['jquery', 'underscore', 'lib/parsley_rules'], function ($, _, rules) {
  'use strict';

  var kServerError = 'server';
  var kMarker = 'has-server-error';

  /** Sets aria-invalid and aria-describedby after Parsley has changed the input's errors. */
  function syncAria($input) {
    var describedBy = $input.attr('data-describedby');
    if (describedBy) $input.attr('aria-describedby', describedBy);
    else $input.removeAttr('aria-describedby');
    if ($input.hasClass('is-invalid')) $input.attr('aria-invalid', 'true');
    else $input.removeAttr('aria-invalid');
  }

  function removeServerError($input) {
    if (!$input.hasClass(kMarker)) return;
    $input.removeClass(kMarker).parsley().removeError(kServerError);
    syncAria($input);
  }

  function parsleyOf($form) {
    return $form.parsley(rules.formOptions());
  }

  function fieldInput($form, field) {
    if (!field) return $form.find([]);
    return $form.find('[name="' + field.replace(/[^A-Za-z0-9_-]/g, '') + '"]');
  }

  return {
    /**
     * Binds Parsley to the form (idempotent).
     * @param {jQuery} $form
     */
    bind: function ($form) {
      var form = parsleyOf($form);
      if (form.latchkeyAria) return;
      form.latchkeyAria = true;
      form.on('field:validated', function (field) {
        syncAria(field.$element);
      });
    },

    /**
     * Clears server errors, then runs the client-side rules. Most settle at
     * once (the promise is already settled when returned); the common-password
     * rule may first wait for its list (lib/common_passwords).
     * @param {jQuery} $form
     * @param {jQuery} $alert the form's general alert
     * @returns {jQuery.Promise} resolves when the form may be submitted,
     *   rejects when a rule fails (the errors are shown)
     */
    whenValid: function ($form, $alert) {
      this.clear($form, $alert);
      return parsleyOf($form).whenValidate();
    },

    /**
     * Removes errors set by showServerError.
     * @param {jQuery} $form
     * @param {jQuery} $alert
     */
    clear: function ($form, $alert) {
      $form.find('.' + kMarker).each(function () {
        removeServerError($(this));
      });
      $alert.text('').prop('hidden', true);
    },

    /**
     * Shows a server error next to its field, else in the alert.
     * @param {jQuery} $form
     * @param {jQuery} $alert
     * @param {{error: string, field: ?string}} err
     * @param {string=} message text to show instead of err.error
     */
    showServerError: function ($form, $alert, err, message) {
      var text = message || err.error;
      var $input = fieldInput($form, err.field);
      if ($input.length) {
        // Parsley inserts messages as HTML: escape what the server said.
        $input.parsley().addError(kServerError, { message: _.escape(text) });
        $input.addClass(kMarker).one('input', function () {
          removeServerError($input);
        });
        syncAria($input);
        $input.trigger('focus');
      } else {
        $alert.text(text).prop('hidden', false);
      }
    },

    /**
     * Destroys the Parsley instance (call from the view's remove()).
     * @param {jQuery} $form
     */
    destroy: function ($form) {
      if ($form.length) parsleyOf($form).destroy();
    }
  };
});
