"""Notes per user, in one SQLite file (Python's sqlite3).

Schema: notes(id, user_id, text, created_at). `user_id` is the `sub` of Latchkey's assertion:
notes belong to an id, never to a username (a name can be freed and taken by someone else).
Every query names the user, so no call can read or delete another user's note.

Thread-safety: each call opens its own connection (cheap for SQLite), so one NotesStore serves
every request thread; WAL lets readers run beside the one writer, and a writer waits up to 5 s
for another before failing.
"""
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone

MAX_NOTES_PER_USER = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_by_user ON notes (user_id, id);
"""
_LIST = "SELECT id, text, created_at FROM notes WHERE user_id = ? ORDER BY id DESC"
_COUNT = "SELECT COUNT(*) FROM notes WHERE user_id = ?"
_INSERT = "INSERT INTO notes (user_id, text, created_at) VALUES (?, ?, ?)"
_DELETE = "DELETE FROM notes WHERE id = ? AND user_id = ?"


class TooManyNotes(Exception):
    """The user already has the most notes allowed."""


class NotesStore:
    """path: the SQLite file (created with its schema when missing)."""

    def __init__(self, path: str, max_notes: int = MAX_NOTES_PER_USER):
        self._path = path
        self._max_notes = max_notes
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self):
        # Autocommit mode: the one transaction is the explicit BEGIN IMMEDIATE of create().
        db = sqlite3.connect(self._path, timeout=5, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    def list(self, user_id: str) -> list:
        """-> the user's notes, newest first: [{"id": int, "text": str, "created_at": str}]."""
        with self._connect() as db:
            rows = db.execute(_LIST, (user_id,)).fetchall()
        return [{"id": r[0], "text": r[1], "created_at": r[2]} for r in rows]

    def create(self, user_id: str, text: str) -> dict:
        """-> the new note (as in list()). Raises TooManyNotes at the limit."""
        created_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._connect() as db:
            # One write transaction for the count and the insert: two concurrent requests
            # cannot both pass the limit.
            db.execute("BEGIN IMMEDIATE")
            try:
                if db.execute(_COUNT, (user_id,)).fetchone()[0] >= self._max_notes:
                    raise TooManyNotes(f"at most {self._max_notes} notes")
                note_id = db.execute(_INSERT, (user_id, text, created_at)).lastrowid
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return {"id": note_id, "text": text, "created_at": created_at}

    def delete(self, user_id: str, note_id: int) -> bool:
        """-> True if the user's note was deleted; False if there is no such note of theirs."""
        with self._connect() as db:
            return db.execute(_DELETE, (note_id, user_id)).rowcount == 1
