// Numbered schema migrations for SQLite, applied in order on start. Each runs in its own
// BEGIN IMMEDIATE transaction together with its row in schema_migrations, so a crash
// mid-migration leaves the schema at the previous version. Migrations are append-only:
// never edit one that has shipped.
#pragma once

#include <string>
#include <vector>

#include "store/sqlite/connection.h"

namespace latchkey::store::sqlite {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// All migrations, ascending by version.
const std::vector<Migration>& Migrations();

// Brings the database to the newest version. Returns the versions applied now. Throws
// std::runtime_error on failure, or when the database is newer than this binary.
std::vector<int> Migrate(Connection& conn);

// The highest applied version (0 for an empty database).
int SchemaVersion(Connection& conn);

}  // namespace latchkey::store::sqlite
