/**
 * @module views/code_form
 *
 * CodeFormView: "enter the code from the mail" for the logged-in user's
 * unverified address (session.verifyEmail({code})). Used by the banner and the
 * verify-email page. The code lives only in its input, emptied after a try.
 *
 * Events: `verified` after a success (session.user is verified by then).
 * Options: `idPrefix` {string} makes the ids and data-testids unique on a page.
 */
define(['app', 'views/form_view', 'views/form_errors', 'lib/retry_message', 'templates/code_form'],
function (app, FormView, formErrors, retryMessage, template) {
  'use strict';

  var CodeFormView = FormView.extend(/** @lends CodeFormView.prototype */ {
    tagName: 'div',

    events: {
      'submit form': 'onSubmit'
    },

    /** @param {{idPrefix: string}} options */
    initialize: function (options) {
      this.idPrefix = options.idPrefix;
    },

    /** @returns {CodeFormView} this */
    render: function () {
      if (this.removed) return this;
      this.renderTemplate(template, { id: this.idPrefix });
      this.$form = this.bindForm('form');
      return this;
    },

    onSubmit: function (event) {
      event.preventDefault();
      var view = this;
      var $form = this.$form;
      var $code = $form.find('[name="code"]');
      var $alert = $form.find('[data-testid="' + this.idPrefix + '-alert"]');
      this.submitForm({
        $form: $form,
        $alert: $alert,
        request: function () {
          return app.session.verifyEmail({ code: $code.val() });
        },
        clearOnError: { code: $code },
        done: function () {
          $code.val('');
          view.trigger('verified');
        },
        fail: function (err) {
          formErrors.showServerError($form, $alert, err, retryMessage.text(err));
        }
      });
    }
  });

  return CodeFormView;
});
