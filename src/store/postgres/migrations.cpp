#include "store/postgres/migrations.h"

#include <chrono>
#include <stdexcept>
#include <string>

namespace latchkey::store::postgres {
namespace {

// A node may wait for another node's migrations: longer limits than a request's 5 s.
constexpr const char* kMigrationSettings =
    "SET statement_timeout = '5min'; SET lock_timeout = '5min'";
// The client-side deadline of each migration call: the server's limits plus a margin.
constexpr std::chrono::milliseconds kMigrationCallTimeout =
    std::chrono::minutes(5) + std::chrono::seconds(30);
constexpr const char* kLock = "SELECT pg_advisory_lock($1)";
constexpr const char* kUnlock = "SELECT pg_advisory_unlock($1)";

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)";

constexpr const char* kSelectVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

constexpr const char* kInsertVersion =
    "INSERT INTO schema_migrations (version, name, applied_at)"
    " VALUES ($1, $2, EXTRACT(EPOCH FROM now())::BIGINT)";

// Usernames are unique without regard to ASCII case (SQLite: COLLATE NOCASE); lookups use
// lower(username), which this index serves. sessions.seq stands in for SQLite's rowid:
// insertion order, the tie-break of ListSessions.
constexpr const char* kV1Users = R"sql(
CREATE TABLE users (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      TEXT   NOT NULL,
  name          TEXT   NOT NULL DEFAULT '',
  password_hash TEXT   NOT NULL,
  created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
CREATE TABLE sessions (
  id           TEXT   PRIMARY KEY,
  user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash   TEXT   NOT NULL UNIQUE,
  created_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  user_agent   TEXT   NOT NULL DEFAULT '',
  ip           TEXT   NOT NULL DEFAULT '',
  seq          BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX sessions_user_id ON sessions(user_id);
CREATE INDEX sessions_expires_at ON sessions(expires_at);
)sql";

// Idle timeout and "remember me" per session. Existing rows keep the previous behaviour:
// persistent, 14-day idle timeout.
constexpr const char* kV2SessionIdle = R"sql(
ALTER TABLE sessions ADD COLUMN idle_timeout BIGINT  NOT NULL DEFAULT 1209600;
ALTER TABLE sessions ADD COLUMN persistent   BOOLEAN NOT NULL DEFAULT TRUE;
CREATE INDEX sessions_user_created ON sessions(user_id, created_at);
)sql";

// Throttling counters (shared by nodes, kept across restarts) and the audit log. Events keep
// user_id without a foreign key: an account's removal stays in the log.
constexpr const char* kV3ThrottleAudit = R"sql(
CREATE TABLE throttles (
  key             TEXT   PRIMARY KEY,
  failures        BIGINT NOT NULL,
  last_failure_at BIGINT NOT NULL,
  window_start    BIGINT NOT NULL,
  window_failures BIGINT NOT NULL,
  locked_until    BIGINT NOT NULL
);
CREATE INDEX throttles_last_failure_at ON throttles(last_failure_at);
CREATE TABLE auth_events (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         BIGINT NOT NULL,
  type       TEXT   NOT NULL,
  user_id    BIGINT,
  username   TEXT   NOT NULL DEFAULT '',
  ip         TEXT   NOT NULL DEFAULT '',
  user_agent TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX auth_events_user ON auth_events(user_id, id);
CREATE INDEX auth_events_at ON auth_events(at);
)sql";

[[noreturn]] void Fail(const std::string& what, const QueryResult& result) {
  throw std::runtime_error(
      "postgres migration: " + what + ": " + result.message() +
      (result.sqlstate().empty() ? "" : " (SQLSTATE " + result.sqlstate() + ")"));
}

// Lengthens the connection's call deadline for the migration, restores it after.
class LongCalls {
 public:
  explicit LongCalls(Connection& conn) : conn_(conn), previous_(conn.call_timeout()) {
    conn_.SetCallTimeout(kMigrationCallTimeout);
  }
  LongCalls(const LongCalls&) = delete;
  LongCalls& operator=(const LongCalls&) = delete;
  ~LongCalls() { conn_.SetCallTimeout(previous_); }

 private:
  Connection& conn_;
  std::chrono::milliseconds previous_;
};

// Holds the migration lock; the server also drops it if the connection dies.
class AdvisoryLock {
 public:
  explicit AdvisoryLock(Connection& conn) : conn_(conn) {
    QueryResult r = conn_.Exec(kLock, {kMigrationLockKey});
    if (!r.ok()) Fail("cannot take the migration lock", r);
  }
  AdvisoryLock(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(const AdvisoryLock&) = delete;
  ~AdvisoryLock() {
    if (!conn_.Broken()) conn_.Exec(kUnlock, {kMigrationLockKey});
  }

 private:
  Connection& conn_;
};

// Operators can disable a user (NULL: enabled). Other nodes hear of it by NOTIFY.
constexpr const char* kV4DisabledUsers = R"sql(
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
)sql";

// Throttling to the millisecond, and the attempts in flight (see the SQLite migration 5).
constexpr const char* kV5ThrottleMillis = R"sql(
ALTER TABLE throttles RENAME COLUMN last_failure_at TO last_failure_ms;
ALTER TABLE throttles RENAME COLUMN window_start TO window_start_ms;
ALTER TABLE throttles RENAME COLUMN locked_until TO locked_until_ms;
UPDATE throttles SET last_failure_ms = last_failure_ms * 1000,
                     window_start_ms = window_start_ms * 1000,
                     locked_until_ms = locked_until_ms * 1000;
ALTER TABLE throttles ADD COLUMN pending BIGINT NOT NULL DEFAULT 0;
ALTER TABLE throttles ADD COLUMN pending_until_ms BIGINT NOT NULL DEFAULT 0;
ALTER INDEX throttles_last_failure_at RENAME TO throttles_last_failure_ms;
)sql";

// The running server nodes and how far each has applied the change feed
// (store/feed_nodes.h): `latchkey user disable` and the like wait until every one has.
// feed_marks.seq numbers the marks a command sends through NOTIFY behind its change; its one
// row is locked by the mark's UPDATE until commit, so marks commit, and so arrive, in the
// order of their numbers.
constexpr const char* kV6FeedNodes = R"sql(
CREATE TABLE feed_nodes (
  id           TEXT    PRIMARY KEY,
  host         TEXT    NOT NULL,
  pid          BIGINT  NOT NULL,
  applied_seq  BIGINT  NOT NULL,
  heartbeat_ms BIGINT  NOT NULL
);
CREATE TABLE feed_marks (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT  NOT NULL
);
INSERT INTO feed_marks (id, seq) VALUES (1, 0);
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
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;    -- unix seconds; NULL: not verified
CREATE UNIQUE INDEX users_verified_email ON users(email_key) WHERE email_verified_at IS NOT NULL;
CREATE INDEX users_email_key ON users(email_key);
CREATE TABLE one_time_tokens (
  id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose       TEXT    NOT NULL,                         -- verify_email | undo_email_change | recovery
  token_hash    TEXT    NOT NULL UNIQUE,                  -- hex SHA-256 of the 256-bit token
  code_hash     TEXT    NOT NULL DEFAULT '',              -- hex HMAC (keyring purpose "one-time-code") of the short code; '': none
  data          TEXT    NOT NULL DEFAULT '',              -- the purpose's payload (address to verify / to restore)
  created_at    BIGINT  NOT NULL,
  expires_at    BIGINT  NOT NULL,
  consumed_at   BIGINT,                                   -- NULL: still usable
  code_attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX one_time_tokens_user ON one_time_tokens(user_id, purpose);
CREATE INDEX one_time_tokens_expires ON one_time_tokens(expires_at);
CREATE TABLE mail_outbox (
  id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind            TEXT    NOT NULL,                       -- template name (templates/mail/<kind>.*)
  recipient       TEXT    NOT NULL,
  user_id         BIGINT,                                 -- no foreign key: a notice outlives a removed account
  payload         TEXT,                                   -- crypto::Sealer output (purpose "mail"); NULL once sent or given up
  state           TEXT    NOT NULL DEFAULT 'queued',      -- queued | sent | failed
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_at      BIGINT  NOT NULL,
  next_attempt_at BIGINT  NOT NULL,
  claimed_by      TEXT    NOT NULL DEFAULT '',            -- the sender's node id while it holds the lease
  claimed_until   BIGINT  NOT NULL DEFAULT 0,
  sent_at         BIGINT,
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
      {4, "disabled users", kV4DisabledUsers},
      {5, "throttling in milliseconds, attempts in flight", kV5ThrottleMillis},
      {6, "server nodes and how far they applied the change feed", kV6FeedNodes},
      {7, "email addresses, one-time tokens and the mail outbox", kV7EmailTokensOutbox},
  };
  return kAll;
}

int SchemaVersion(Connection& conn) {
  QueryResult created = conn.ExecScript(kCreateMigrationsTable);
  if (!created.ok()) Fail("cannot create schema_migrations", created);
  QueryResult version = conn.Exec(kSelectVersion);
  if (!version.ok() || version.rows() != 1) Fail("cannot read the schema version", version);
  return static_cast<int>(version.Int(0, 0));
}

std::vector<int> Migrate(Connection& conn) {
  LongCalls long_calls(conn);
  QueryResult settings = conn.ExecScript(kMigrationSettings);
  if (!settings.ok()) Fail("cannot set timeouts", settings);
  AdvisoryLock lock(conn);
  std::vector<int> applied;
  // Read under the lock: a node that migrated while we waited is seen here.
  int current = SchemaVersion(conn);
  int newest = Migrations().empty() ? 0 : Migrations().back().version;
  if (current > newest) {
    throw std::runtime_error("database schema version " + std::to_string(current) +
                             " is newer than this binary knows (" + std::to_string(newest) + ")");
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= current) continue;
    Transaction tx(conn);
    if (!tx.Began()) Fail("cannot begin migration", tx.begin_result());
    // Re-checked inside the transaction, as the SQLite dialect does.
    if (SchemaVersion(conn) >= m.version) continue;
    if (QueryResult r = conn.ExecScript(m.sql); !r.ok()) {
      Fail("migration " + std::to_string(m.version) + " failed", r);
    }
    if (QueryResult r = conn.Exec(kInsertVersion, {m.version, m.name}); !r.ok()) {
      Fail("cannot record migration " + std::to_string(m.version), r);
    }
    if (QueryResult r = tx.Commit(); !r.ok()) {
      Fail("cannot commit migration " + std::to_string(m.version), r);
    }
    applied.push_back(m.version);
  }
  return applied;
}

}  // namespace latchkey::store::postgres
