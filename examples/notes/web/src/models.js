/**
 * Notes as the backend serves them (backend/http_api.py): a Note is {id, text, created_at};
 * a NoteCollection is the caller's notes, newest first (GET /api/notes answers {"notes": [...]},
 * POST answers {"note": {...}}).
 *
 * NotesApp.models(session) -> {Note, NoteCollection} whose requests all go through the page's
 * one SessionModel (`session.sync`, from @latchkey/backbone-client): that is where the CSRF
 * header is added to POST and DELETE, and where Latchkey's 401 (`unauthenticated`,
 * `session_ended`) turns into logged_in = false. Nothing here builds a header.
 *
 * NotesApp.describeError(xhr) -> the message to show for a failed request: the server's own
 * message, or a plain one when the notes service is down (Latchkey's 502/504, or no answer).
 */
(function (NotesApp, Backbone, client) {
  'use strict';

  NotesApp.models = function (session) {
    function sync(method, model, options) {
      return session.sync(method, model, options);
    }
    var Note = Backbone.Model.extend({
      urlRoot: '/api/notes',
      sync: sync,
      parse: function (data) {
        return data && data.note ? data.note : data;
      }
    });
    var NoteCollection = Backbone.Collection.extend({
      model: Note,
      url: '/api/notes',
      sync: sync,
      parse: function (data) {
        return data.notes;
      }
    });
    return { Note: Note, NoteCollection: NoteCollection };
  };

  var kServiceDown = ['upstream_unavailable', 'upstream_timeout'];

  NotesApp.describeError = function (xhr) {
    var err = client.request.toError(xhr); // {status, code, error, field, ended}
    if (err.status === 0 || kServiceDown.indexOf(err.code) >= 0) {
      return 'The notes service is not answering right now. ' +
        'Your notes are safe: try again in a moment.';
    }
    return err.error;
  };
}(window.NotesApp = window.NotesApp || {}, window.Backbone, window.LatchkeyBackbone));
