/**
 * @module views/form_view
 *
 * FormView: the base of the views that hold Parsley forms (login and signup,
 * profile, password, remove account). It owns, in one place:
 *   - binding and destroying each form's Parsley instance (views/form_errors);
 *   - the `removed` flag, set by remove(), so a late event (a `logged_in` or
 *     user change) does not render a view the router has already dropped;
 *   - the form-field partial (templates/form_field) and the server's input
 *     rules (lib/parsley_rules), given to every template it renders as
 *     `data.field` and `data.rules`;
 *   - the submit sequence (submitForm): validate, one request at a time with
 *     the buttons disabled and the submit button showing its loading
 *     indicator (views/busy_button), then the server's error next to its
 *     field or in the form's alert, with focus on the field it names;
 *   - what the user typed and has not sent (draft, restoreDraft), so that a
 *     session the server ends does not silently drop it (the router keeps it
 *     until the user logs back in). Never a password: a password input is
 *     never read for it, whatever happens.
 *
 * Subclasses may override initialize freely: this view's state is set up in
 * preinitialize.
 */
define(['jquery', 'underscore', 'backbone', 'lib/parsley_rules', 'views/form_errors', 'views/busy_button',
  'templates/form_field'],
function ($, _, Backbone, parsleyRules, formErrors, busyButton, fieldTemplate) {
  'use strict';

  // The inputs a draft may hold: free text. Never `password`, nor hidden, read-only or
  // disabled inputs (the page's own values, not the user's).
  var kDraftTypes = { text: true, search: true, email: true, url: true, tel: true, number: true };

  function draftable(el) {
    if (!el.name || el.hidden || el.readOnly || el.disabled) return false;
    return el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && _.has(kDraftTypes, el.type));
  }

  var FormView = Backbone.View.extend(/** @lends FormView.prototype */ {
    /**
     * When true, a failure with `err.ended` is not shown: the server has ended
     * the session and the router is taking the user to the login page. The
     * login page, which has no session to end, turns it off.
     */
    hideEndedErrors: true,

    preinitialize: function () {
      this.busy = false; // a request from one of the view's forms is in flight
      this.removed = false;
      this.forms = [];
    },

    /**
     * Destroys the Parsley forms of the previous content, then fills the view
     * with `template(data)`; the template also gets `data.field`, the
     * form-field partial, and `data.rules`, parsleyRules.inputRules().
     * @param {function(Object): string} template a precompiled template
     * @param {Object} data
     * @returns {FormView} this
     */
    renderTemplate: function (template, data) {
      this.destroyForms();
      this.$el.html(template(_.extend({ field: fieldTemplate, rules: parsleyRules.inputRules() }, data)));
      return this;
    },

    /**
     * Binds Parsley to the view's form matching `selector`, if there is one.
     * @param {string} selector
     * @returns {jQuery} the form (empty when the content has none)
     */
    bindForm: function (selector) {
      var $form = this.$(selector);
      if ($form.length) {
        formErrors.bind($form);
        this.forms.push($form);
      }
      return $form;
    },

    /** Destroys the Parsley instances bindForm made. */
    destroyForms: function () {
      _.each(this.forms, function ($form) { formErrors.destroy($form); });
      this.forms = [];
    },

    /**
     * Submits a form: nothing while a request is in flight or a Parsley rule
     * fails (earlier server errors are cleared first); `$buttons` are disabled
     * from the validation (which may wait for the common-password list) until
     * `request()` settles, and `$busy` shows the loading indicator meanwhile
     * (views/busy_button). A failure empties the input
     * `clearOnError` maps the blamed field to, then shows the error next to
     * that field or in `$alert` (`fail` replaces that display).
     * @param {Object} options
     * @param {jQuery} options.$form
     * @param {jQuery} options.$alert the form's general alert
     * @param {function(): jQuery.Promise} options.request sends the form (a
     *   session method); it rejects with {status, error, field, ended}
     * @param {jQuery=} options.$buttons default: the form's submit button
     * @param {jQuery=} options.$busy the button showing the loading indicator;
     *   default: the form's submit button
     * @param {Object<string, jQuery>=} options.clearOnError field name -> input
     * @param {function(Object)=} options.done called with the server's answer
     * @param {function(Object)=} options.fail shows a failure instead
     * @returns {boolean} false when a submission was already under way
     */
    submitForm: function (options) {
      var view = this;
      var $form = options.$form;
      var $alert = options.$alert;
      if (this.busy) return false;
      var $submit = $form.find('button[type="submit"]');
      var stopBusy = busyButton.start(options.$busy || $submit);
      var $buttons = (options.$buttons || $submit).prop('disabled', true);
      this.busy = true;
      function idle() {
        view.busy = false;
        stopBusy();
        $buttons.prop('disabled', false);
      }
      // done/fail rather than then: a settled validation sends at once.
      formErrors.whenValid($form, $alert).fail(idle).done(function () {
        options.request().always(idle).done(function (data) {
          if (options.done) options.done(data);
        }).fail(function (err) {
          if (err.ended && view.hideEndedErrors) return; // the router is taking the user to the login page
          if (err.stale) return; // about another user: the page is being rebuilt, the router says why
          var clear = options.clearOnError || {};
          if (err.field && _.has(clear, err.field)) clear[err.field].val('');
          if (options.fail) options.fail(err);
          else formErrors.showServerError($form, $alert, err);
        });
      });
      return true;
    },

    /**
     * What the user typed in the view's forms and has not sent: for each form
     * (by its data-testid) the edited inputs (value differs from the rendered
     * one), by name, as {value, label}. Never a password (see kDraftTypes).
     * @returns {Object<string, Object<string, {value: string, label: string}>>}
     */
    draft: function () {
      var draft = {};
      _.each(this.forms, function ($form) {
        var fields = {};
        $form.find('input, textarea').each(function () {
          if (!draftable(this) || this.value === this.defaultValue) return;
          var label = this.id ? $form.find('label[for="' + this.id + '"]').first().text() : '';
          fields[this.name] = { value: this.value, label: label.trim() || this.name };
        });
        if (!_.isEmpty(fields) && $form.attr('data-testid')) draft[$form.attr('data-testid')] = fields;
      });
      return draft;
    },

    /**
     * Fills a draft (as draft() returned it) into the view's forms of the same
     * data-testid; inputs a draft may not hold are left alone.
     * @param {Object} draft
     */
    restoreDraft: function (draft) {
      _.each(this.forms, function ($form) {
        var fields = draft[$form.attr('data-testid')] || {};
        $form.find('input, textarea').each(function () {
          if (draftable(this) && _.has(fields, this.name)) this.value = String(fields[this.name].value);
        });
      });
    },

    remove: function () {
      this.removed = true;
      this.destroyForms();
      return Backbone.View.prototype.remove.apply(this, arguments);
    }
  });

  return FormView;
});
