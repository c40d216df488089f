// Opens the database named by a URL and brings its schema to the newest version.
//   sqlite:<path>                      the embedded default (one server process)
//   postgres://user@host:port/dbname   (or postgresql://; any libpq connection URI) shared
//                                      by many server nodes
// Throws std::invalid_argument for a URL of another scheme (a configuration error) and
// std::runtime_error when the database cannot be opened or migrated (startup failure).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/database.h"

namespace latchkey::store {

enum class Dialect { kSqlite, kPostgres };

// The dialect of a database URL, or nullopt when the scheme is neither.
std::optional<Dialect> DialectOf(std::string_view url);

// pool_size: connections kept open (at least 1). Migrations run under a lock, so nodes
// starting together do not race (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock).
std::unique_ptr<Database> OpenDatabase(const std::string& url, std::size_t pool_size);

// A database URL fit for logs, --print-config and error messages: never a password.
//   sqlite:<path>        as is
//   postgres://...       rebuilt from libpq's own parse (PQconninfoParse) as
//                        postgres://user@host:port/dbname (every other setting left out), or
//                        "postgres://<unparsable>" when libpq rejects it
//   anything else        "<scheme>:<redacted>" for a short lowercase scheme, else "<redacted>"
std::string RedactDatabaseUrl(std::string_view url);

// A database URL for `--print-config`: as RedactDatabaseUrl, except that a postgres URL keeps
// every setting with only its secrets (password, sslpassword) replaced by "***", as libpq
// reads them: postgres://user:***@host/db?sslmode=require.
std::string MaskDatabaseUrl(std::string_view url);

}  // namespace latchkey::store
