/**
 * @module views/undo_email_page
 *
 * UndoEmailPageView (route /undo-email): opened from the link mailed to the
 * old address after an email change, it says what an undo does and posts the
 * link's token once the user clicks "Undo this change" (session.undoEmailChange;
 * never on load, so a mail scanner that runs the page's script reverts
 * nothing), then explains the outcome: the old address is back
 * and every session of the account has ended, on every device (the session
 * logs out if it was that account's), and the password no longer works, so the
 * page links to /forgot-password to set a new one by mail. The
 * token is only in the closure of `confirm`, made at initialize.
 *
 * Options: `token` {?string} the link's token.
 */
define(['backbone', 'app', 'lib/retry_message', 'templates/undo_email_page'],
function (Backbone, app, retryMessage, template) {
  'use strict';

  var UndoEmailPageView = Backbone.View.extend(/** @lends UndoEmailPageView.prototype */ {
    title: 'Undo an email change · Latchkey',
    keepOnAuthChange: true,

    events: {
      'click [data-testid="undo-confirm"]': 'onConfirm'
    },

    /** @param {{token: ?string}} options */
    initialize: function (options) {
      var view = this;
      var token = (options && options.token) || null;
      this.state = token ? 'ready' : 'none'; // ready, checking, undone, failed, none
      this.result = '';
      this.passwordReset = false;
      if (!token) return;
      this.confirm = function () {
        app.session.undoEmailChange({ token: token }).done(function (data) {
          view.state = 'undone';
          view.result = (data && data.user && data.user.email) || '';
          view.passwordReset = !!(data && data.password_reset_required);
        }).fail(function (err) {
          view.state = 'failed';
          if (err.code === 'invalid_token') {
            view.result = 'This link has expired (it works for 72 hours) or was already used.';
          } else if (err.code === 'email_taken') {
            view.result = 'The old address now belongs to another account, so it cannot be set back.';
          } else {
            view.result = retryMessage.text(err);
          }
        }).always(function () {
          if (!view.removed) view.render();
        });
      };
    },

    /** Posts the link's token, once. */
    onConfirm: function (event) {
      event.preventDefault();
      if (this.state !== 'ready') return;
      this.state = 'checking';
      this.render();
      this.confirm();
    },

    /** @returns {UndoEmailPageView} this */
    render: function () {
      this.$el.html(template({ state: this.state, result: this.result, passwordReset: this.passwordReset }));
      return this;
    }
  });

  return UndoEmailPageView;
});
