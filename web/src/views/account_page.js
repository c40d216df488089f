/**
 * @module views/account_page
 *
 * AccountPageView: the Account screen (route /account, logged-in only): the
 * profile form, the change-password form and the list of sessions, each its
 * own subview. After a password change the session list reloads, since the
 * server has ended every other session and rotated this one.
 */
define(['backbone', 'templates/account_page', 'views/profile_form', 'views/password_form',
  'views/session_list'],
function (Backbone, template, ProfileFormView, PasswordFormView, SessionListView) {
  'use strict';

  var AccountPageView = Backbone.View.extend(/** @lends AccountPageView.prototype */ {
    title: 'Account · Latchkey',

    initialize: function () {
      this.profile = new ProfileFormView();
      this.password = new PasswordFormView();
      this.sessions = new SessionListView();
      this.listenTo(this.password, 'password:changed', function () {
        this.sessions.refresh();
      });
    },

    /** @returns {AccountPageView} this */
    render: function () {
      this.$el.html(template({}));
      this.$('[data-region="profile"]').append(this.profile.render().el);
      this.$('[data-region="password"]').append(this.password.render().el);
      this.$('[data-region="sessions"]').append(this.sessions.render().el);
      return this;
    },

    remove: function () {
      this.profile.remove();
      this.password.remove();
      this.sessions.remove();
      return Backbone.View.prototype.remove.apply(this, arguments);
    }
  });

  return AccountPageView;
});
