/**
 * NotesView: the notes screen (template #notes-screen of index.html): a form to add a note and
 * the caller's notes, newest first, each with a Delete button.
 * new NotesApp.NotesView({notes}) loads `notes` (a NoteCollection) when rendered. A failed
 * request shows a banner with a "Try again" button, which loads the list again; the note being
 * written stays in its box. An input error (400 with `field`) shows under the form instead.
 * "No live session" needs nothing here: the session turns logged_in false and app.js shows
 * the login page.
 */
(function (NotesApp, Backbone, $, client) {
  'use strict';

  NotesApp.NotesView = Backbone.View.extend({
    events: {
      'submit [data-testid="note-form"]': 'onAdd',
      'click [data-testid="note-delete"]': 'onDelete',
      'click [data-testid="notes-retry"]': 'load'
    },

    initialize: function (options) {
      this.notes = options.notes;
      this.loaded = false; // "No notes yet" only once the server said so
      this.listenTo(this.notes, 'reset add remove', this.renderList);
    },

    render: function () {
      this.$el.html($('#notes-screen').html());
      this.renderList();
      this.load();
      return this;
    },

    renderList: function () {
      var list = this.$('[data-testid="note-list"]').empty();
      this.notes.each(function (note) {
        var item = $($('#note-item').html().trim()).attr('data-id', note.id);
        item.find('[data-testid="note-item-text"]').text(note.get('text'));
        list.append(item);
      });
      this.$('[data-testid="notes-empty"]').prop('hidden', !this.loaded || this.notes.length > 0);
    },

    /** Loads the list; aria-busy on it says whether a load is under way. */
    load: function () {
      var view = this;
      var list = this.$('[data-testid="note-list"]').attr('aria-busy', 'true');
      this.notes.fetch({ reset: true }).done(function () {
        view.loaded = true;
        view.renderList();
        view.showError(null);
      }).fail(function (xhr) {
        view.showError(xhr);
      }).always(function () {
        list.attr('aria-busy', 'false');
      });
    },

    onAdd: function (e) {
      e.preventDefault();
      var view = this;
      var box = this.$('[data-testid="note-text"]');
      var button = this.$('[data-testid="note-submit"]').prop('disabled', true);
      this.$('[data-testid="note-error"]').prop('hidden', true);
      this.notes.create({ text: box.val() }, {
        wait: true, // added to the list once the server has it
        at: 0,
        success: function () {
          box.val('');
          button.prop('disabled', false);
          view.showError(null);
        },
        error: function (model, xhr) {
          button.prop('disabled', false);
          var err = client.request.toError(xhr);
          if (err.field) view.$('[data-testid="note-error"]').text(err.error).prop('hidden', false);
          else view.showError(xhr);
        }
      });
    },

    onDelete: function (e) {
      var note = this.notes.get($(e.currentTarget).closest('li').attr('data-id'));
      var view = this;
      note.destroy({
        wait: true,
        error: function (model, xhr) { view.showError(xhr); }
      });
    },

    /** Shows the banner for a failed request (`xhr`), or hides it (null). */
    showError: function (xhr) {
      if (xhr && client.request.toError(xhr).ended) return; // app.js shows the login page
      this.$('[data-testid="notes-error-text"]').text(xhr ? NotesApp.describeError(xhr) : '');
      this.$('[data-testid="notes-error"]').prop('hidden', !xhr);
    }
  });
}(window.NotesApp = window.NotesApp || {}, window.Backbone, window.jQuery,
  window.LatchkeyBackbone));
