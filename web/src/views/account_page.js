/**
 * @module views/account_page
 *
 * AccountPageView: the Account screen (route /account, logged-in only): the
 * profile form, the email address (views/email_form), the change-password form, the list of sessions and the recent
 * account activity, each its own subview. After a password change the session
 * list reloads, since the server has ended every other session and rotated
 * this one; the activity reloads after every change, and both reload when
 * another tab changed this user's password or profile (session `elsewhere`).
 * Its draft (FormView#draft) is its forms' drafts.
 */
define(['underscore', 'backbone', 'app', 'templates/account_page', 'views/profile_form', 'views/email_form',
  'views/password_form', 'views/session_list', 'views/event_list'],
function (_, Backbone, app, template, ProfileFormView, EmailFormView, PasswordFormView, SessionListView,
  EventListView) {
  'use strict';

  var AccountPageView = Backbone.View.extend(/** @lends AccountPageView.prototype */ {
    title: 'Account · Latchkey',

    initialize: function () {
      this.profile = new ProfileFormView();
      this.email = new EmailFormView();
      this.password = new PasswordFormView();
      this.sessions = new SessionListView();
      this.events = new EventListView();
      this.listenTo(this.password, 'password:changed', function () {
        this.sessions.refresh();
      });
      // Any change made on this page is an event: show it.
      this.listenTo(app.session.deviceSessions, 'update', this.refreshEvents);
      this.listenTo(app.session.user, 'change:name change:email change:email_verified', this.refreshEvents);
      this.listenTo(this.password, 'password:changed', this.refreshEvents);
      this.listenTo(app.session, 'elsewhere', function () {
        this.sessions.refresh();
        this.refreshEvents();
      });
    },

    /** @returns {AccountPageView} this */
    render: function () {
      this.$el.html(template({}));
      this.$('[data-region="profile"]').append(this.profile.render().el);
      this.$('[data-region="email"]').append(this.email.render().el);
      this.$('[data-region="password"]').append(this.password.render().el);
      this.$('[data-region="sessions"]').append(this.sessions.render().el);
      this.$('[data-region="events"]').append(this.events.render().el);
      return this;
    },

    refreshEvents: function () {
      this.events.refresh();
    },

    /** @returns {Object} what the user typed in the page's forms (FormView#draft) */
    draft: function () {
      return _.extend({}, this.profile.draft(), this.email.draft(), this.password.draft());
    },

    /** @param {Object} draft as draft() returned it */
    restoreDraft: function (draft) {
      this.profile.restoreDraft(draft);
      this.email.restoreDraft(draft);
      this.password.restoreDraft(draft);
    },

    remove: function () {
      this.profile.remove();
      this.email.remove();
      this.password.remove();
      this.sessions.remove();
      this.events.remove();
      return Backbone.View.prototype.remove.apply(this, arguments);
    }
  });

  return AccountPageView;
});
