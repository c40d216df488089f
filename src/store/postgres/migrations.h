// Numbered schema migrations for PostgreSQL: the same versions as store/sqlite/migrations
// (1 users and sessions, 2 session idle timeout and persistence, 3 throttles and audit
// events), in PostgreSQL's types. Times are BIGINT Unix seconds, as in SQLite.
//
// Migrate holds a session-level advisory lock for its whole run, so nodes starting together
// take turns; each migration runs in its own transaction together with its row in
// schema_migrations, so a crash mid-migration leaves the schema at the previous version.
// Migrations are append-only: never edit one that has shipped.
#pragma once

#include <cstdint>
#include <vector>

#include "store/postgres/connection.h"

namespace latchkey::store::postgres {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// pg_advisory_lock key that serialises migrations across nodes ("LKMIGRAT").
inline constexpr std::int64_t kMigrationLockKey = 0x4C4B4D4947524154;

// All migrations, ascending by version.
const std::vector<Migration>& Migrations();

// Brings the database to the newest version on `conn` (a dedicated connection). Returns the
// versions applied now. Statement and lock timeouts are 5 min (another node may hold the lock),
// each call's client-side deadline 5.5 min; `conn`'s own deadline is restored after. Throws
// std::runtime_error on failure, or when the database is newer than this binary.
std::vector<int> Migrate(Connection& conn);

// The highest applied version (0 for an empty database). Throws std::runtime_error.
int SchemaVersion(Connection& conn);

}  // namespace latchkey::store::postgres
