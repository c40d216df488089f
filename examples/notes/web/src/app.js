/**
 * The notes app's entry point: the page's one SessionModel, the router and the header.
 *
 * Routes (pushState; Latchkey renders index.html for any of them on a reload):
 *   /        the notes (NotesView), or /login without a live session
 *   /login   the login and signup forms (LoginView), or / with one
 * When the session ends (logout, or Latchkey answering 401 to any request: see models.js),
 * the app clears the notes it holds and shows /login, saying why when the server ended it;
 * when another tab switches the browser to another user, it drops the notes and reloads them.
 *
 * The session lives in this closure, never on window: any script on the page could otherwise
 * read the user and send requests with the page's CSRF token (clients/backbone/README.md).
 */
(function (NotesApp, Backbone, $, client) {
  'use strict';

  var session = new client.SessionModel(null, { apiRoot: '/api/auth' });
  var notes = new (NotesApp.models(session).NoteCollection)();
  var screen = null;
  var notice = '';

  function show(view) {
    if (screen) screen.remove();
    screen = view;
    $('#app').empty().append(view.render().el);
  }

  var Router = Backbone.Router.extend({
    routes: { '': 'home', login: 'login', '*other': 'home' },

    home: function () {
      if (!session.get('logged_in')) {
        return this.navigate('login', { trigger: true, replace: true });
      }
      show(new NotesApp.NotesView({ notes: notes }));
    },

    login: function () {
      if (session.get('logged_in')) return this.navigate('', { trigger: true, replace: true });
      show(new NotesApp.LoginView({ session: session, notice: notice }));
      notice = '';
    }
  });
  var router = new Router();

  function renderHeader() {
    var loggedIn = session.get('logged_in');
    $('[data-testid="header-user"]').text(loggedIn ? session.user.displayName() : '')
      .prop('hidden', !loggedIn);
    $('[data-testid="logout"]').prop('hidden', !loggedIn);
  }

  session.on('change:logged_in', function (model, loggedIn, options) {
    renderHeader();
    if (loggedIn) {
      router.navigate('', { trigger: true });
      return;
    }
    notes.reset();
    notice = options.session_ended ? 'Your session has ended. Please log in again.' : '';
    router.navigate('login', { trigger: true });
  });
  session.user.on('change', renderHeader);
  // Another tab logged in as someone else (the client package's tab sync): this page's notes
  // were the previous user's. Drop them and build the notes screen again for the new user.
  session.on('user:switched', function () {
    notes.reset();
    renderHeader();
    router.home();
  });

  $('[data-testid="logout"]').on('click', function () {
    session.logout();
  });

  session.checkAuth().fail(function (err) {
    notice = err.error; // Latchkey itself did not answer as expected
  }).always(function () {
    renderHeader();
    Backbone.history.start({ pushState: true });
  });
}(window.NotesApp = window.NotesApp || {}, window.Backbone, window.jQuery,
  window.LatchkeyBackbone));
