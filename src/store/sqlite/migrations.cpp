#include "store/sqlite/migrations.h"

#include <stdexcept>

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at INTEGER NOT NULL)";

constexpr const char* kSelectVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

constexpr const char* kInsertVersion =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, unixepoch())";

constexpr const char* kV1Users = R"sql(
CREATE TABLE users (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  name          TEXT    NOT NULL DEFAULT '',
  password_hash TEXT    NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE TABLE sessions (
  id           TEXT    PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash   TEXT    NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  user_agent   TEXT    NOT NULL DEFAULT '',
  ip           TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_id ON sessions(user_id);
CREATE INDEX sessions_expires_at ON sessions(expires_at);
)sql";

// Idle timeout and "remember me" per session. Existing rows keep the previous behaviour:
// persistent, 14-day idle timeout.
constexpr const char* kV2SessionIdle = R"sql(
ALTER TABLE sessions ADD COLUMN idle_timeout INTEGER NOT NULL DEFAULT 1209600;
ALTER TABLE sessions ADD COLUMN persistent INTEGER NOT NULL DEFAULT 1;
CREATE INDEX sessions_user_created ON sessions(user_id, created_at);
)sql";

// Throttling counters (shared by nodes, kept across restarts) and the audit log. Events keep
// user_id without a foreign key: an account's removal stays in the log.
constexpr const char* kV3ThrottleAudit = R"sql(
CREATE TABLE throttles (
  key             TEXT    PRIMARY KEY,
  failures        INTEGER NOT NULL,
  last_failure_at INTEGER NOT NULL,
  window_start    INTEGER NOT NULL,
  window_failures INTEGER NOT NULL,
  locked_until    INTEGER NOT NULL
);
CREATE INDEX throttles_last_failure_at ON throttles(last_failure_at);
CREATE TABLE auth_events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  at         INTEGER NOT NULL,
  type       TEXT    NOT NULL,
  user_id    INTEGER,
  username   TEXT    NOT NULL DEFAULT '',
  ip         TEXT    NOT NULL DEFAULT '',
  user_agent TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX auth_events_user ON auth_events(user_id, id);
CREATE INDEX auth_events_at ON auth_events(at);
)sql";

// Operators can disable a user (NULL: enabled). session_changes is the change feed of a
// server process (sqlite/change_poller.h) for writes made by other processes on the same file
// (`latchkey user disable`, `session revoke`, ...): triggers record every deleted session and
// every change of a user's name, password, disabled state or existence in the transaction of
// the write itself, so no writer can forget to and no rolled-back write is seen. Rows are
// pruned after a minute by the polling server.
constexpr const char* kV4DisabledUsersChanges = R"sql(
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
CREATE TABLE session_changes (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash TEXT,
  user_id    INTEGER,
  at         INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE INDEX session_changes_at ON session_changes(at);
CREATE TRIGGER sessions_deleted_feed AFTER DELETE ON sessions BEGIN
  INSERT INTO session_changes (token_hash) VALUES (OLD.token_hash);
END;
CREATE TRIGGER users_updated_feed AFTER UPDATE OF name, password_hash, disabled_at ON users BEGIN
  INSERT INTO session_changes (user_id) VALUES (NEW.id);
END;
CREATE TRIGGER users_deleted_feed AFTER DELETE ON users BEGIN
  INSERT INTO session_changes (user_id) VALUES (OLD.id);
END;
)sql";

// Throttling to the millisecond (a lock lasts its whole delay; whole seconds could end a "1 s"
// lock 0.1 s after it began) and the attempts in flight (so that parallel correct logins wait
// for each other instead of being counted as failures first). Existing counters are kept,
// their times converted to milliseconds.
constexpr const char* kV5ThrottleMillis = R"sql(
ALTER TABLE throttles RENAME COLUMN last_failure_at TO last_failure_ms;
ALTER TABLE throttles RENAME COLUMN window_start TO window_start_ms;
ALTER TABLE throttles RENAME COLUMN locked_until TO locked_until_ms;
UPDATE throttles SET last_failure_ms = last_failure_ms * 1000,
                     window_start_ms = window_start_ms * 1000,
                     locked_until_ms = locked_until_ms * 1000;
ALTER TABLE throttles ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE throttles ADD COLUMN pending_until_ms INTEGER NOT NULL DEFAULT 0;
DROP INDEX throttles_last_failure_at;
CREATE INDEX throttles_last_failure_ms ON throttles(last_failure_ms);
)sql";

// The running server processes on this file and how far each has applied session_changes
// (store/feed_nodes.h): `latchkey user disable` and the like wait until every one has.
constexpr const char* kV6FeedNodes = R"sql(
CREATE TABLE feed_nodes (
  id           TEXT    PRIMARY KEY,
  host         TEXT    NOT NULL,
  pid          INTEGER NOT NULL,
  applied_seq  INTEGER NOT NULL,
  heartbeat_ms INTEGER NOT NULL
);
)sql";

// Issue 19. Email on accounts: `email` as given, `email_key` the form compared (local part as
// written, domain lowercased), unique among verified addresses only (an unverified claim never
// blocks the owner). One table for every one-time token purpose (verify_email,
// undo_email_change, recovery): hashes only, consumed by one conditional UPDATE. The mail
// outbox, written in the transaction of the change that needs the mail; its payload sealed
// (crypto/sealer.h, purpose "mail") and NULL once sent or given up. user_id has no foreign key:
// a notice outlives a removed account.
constexpr const char* kV7EmailTokensOutbox = R"sql(
ALTER TABLE users ADD COLUMN email TEXT;                  -- as given; NULL: none
ALTER TABLE users ADD COLUMN email_key TEXT;              -- local part as written + '@' + lowercased domain
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;   -- unix seconds; NULL: not verified
CREATE UNIQUE INDEX users_verified_email ON users(email_key) WHERE email_verified_at IS NOT NULL;
CREATE INDEX users_email_key ON users(email_key);
CREATE TABLE one_time_tokens (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose       TEXT    NOT NULL,                         -- verify_email | undo_email_change | recovery
  token_hash    TEXT    NOT NULL UNIQUE,                  -- hex SHA-256 of the 256-bit token
  code_hash     TEXT    NOT NULL DEFAULT '',              -- hex HMAC (keyring purpose "one-time-code") of the short code; '': none
  data          TEXT    NOT NULL DEFAULT '',              -- the purpose's payload (address to verify / to restore)
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  consumed_at   INTEGER,                                  -- NULL: still usable
  code_attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX one_time_tokens_user ON one_time_tokens(user_id, purpose);
CREATE INDEX one_time_tokens_expires ON one_time_tokens(expires_at);
CREATE TABLE mail_outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  kind            TEXT    NOT NULL,                       -- template name (templates/mail/<kind>.*)
  recipient       TEXT    NOT NULL,
  user_id         INTEGER,                                -- no foreign key: a notice outlives a removed account
  payload         TEXT,                                   -- crypto::Sealer output (purpose "mail"); NULL once sent or given up
  state           TEXT    NOT NULL DEFAULT 'queued',      -- queued | sent | failed
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  claimed_by      TEXT    NOT NULL DEFAULT '',            -- the sender's node id while it holds the lease
  claimed_until   INTEGER NOT NULL DEFAULT 0,
  sent_at         INTEGER,
  message_id      TEXT    NOT NULL DEFAULT '',            -- the Message-ID sent (RFC 5322 3.6.4)
  last_error      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_attempt_at);
)sql";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kAll = {
      {1, "users and sessions", kV1Users},
      {2, "session idle timeout and persistence", kV2SessionIdle},
      {3, "throttling counters and audit events", kV3ThrottleAudit},
      {4, "disabled users and the session change feed", kV4DisabledUsersChanges},
      {5, "throttling in milliseconds, attempts in flight", kV5ThrottleMillis},
      {6, "server nodes and how far they applied the change feed", kV6FeedNodes},
      {7, "email addresses, one-time tokens and the mail outbox", kV7EmailTokensOutbox},
  };
  return kAll;
}

int SchemaVersion(Connection& conn) {
  if (conn.Exec(kCreateMigrationsTable) != SQLITE_OK) {
    throw std::runtime_error(std::string("cannot create schema_migrations: ") +
                             conn.ErrorMessage());
  }
  auto stmt = conn.Prepare(kSelectVersion);
  if (!stmt || stmt->Step() != SQLITE_ROW) {
    throw std::runtime_error(std::string("cannot read schema version: ") + conn.ErrorMessage());
  }
  return static_cast<int>(stmt->Int(0));
}

std::vector<int> Migrate(Connection& conn) {
  std::vector<int> applied;
  int current = SchemaVersion(conn);
  int newest = Migrations().empty() ? 0 : Migrations().back().version;
  if (current > newest) {
    throw std::runtime_error("database schema version " + std::to_string(current) +
                             " is newer than this binary knows (" + std::to_string(newest) + ")");
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= current) continue;
    Transaction tx(conn);
    if (!tx.Began()) {
      throw std::runtime_error(std::string("cannot begin migration: ") + conn.ErrorMessage());
    }
    // Another process may have migrated while we waited for the write lock.
    if (SchemaVersion(conn) >= m.version) continue;
    if (conn.Exec(m.sql) != SQLITE_OK) {
      throw std::runtime_error("migration " + std::to_string(m.version) +
                               " failed: " + conn.ErrorMessage());
    }
    {
      auto stmt = conn.Prepare(kInsertVersion);
      if (!stmt || stmt->Bind(1, std::int64_t{m.version}).Bind(2, m.name).Step() != SQLITE_DONE) {
        throw std::runtime_error("cannot record migration " + std::to_string(m.version));
      }
    }
    if (tx.Commit() != SQLITE_OK) {
      throw std::runtime_error("cannot commit migration " + std::to_string(m.version));
    }
    applied.push_back(m.version);
  }
  return applied;
}

}  // namespace latchkey::store::sqlite
