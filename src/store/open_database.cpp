#include "store/open_database.h"

#include <algorithm>
#include <cstddef>
#include <stdexcept>

#include "store/postgres/conninfo.h"
#include "store/postgres/postgres_database.h"
#include "store/sqlite/sqlite_database.h"

namespace latchkey::store {

std::optional<Dialect> DialectOf(std::string_view url) {
  if (url.starts_with("sqlite:")) return Dialect::kSqlite;
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    return Dialect::kPostgres;
  }
  return std::nullopt;
}

std::unique_ptr<Database> OpenDatabase(const std::string& url, std::size_t pool_size) {
  if (pool_size == 0) pool_size = 1;
  auto dialect = DialectOf(url);
  if (!dialect) {
    throw std::invalid_argument(
        "--db must be sqlite:<path> or postgres://user:password@host:port/dbname, got " +
        RedactDatabaseUrl(url));
  }
  if (*dialect == Dialect::kSqlite) {
    std::string path = url.substr(std::string_view("sqlite:").size());
    if (path.empty()) throw std::invalid_argument("--db sqlite: needs a file path");
    return std::make_unique<sqlite::SqliteDatabase>(path, pool_size);
  }
  return std::make_unique<postgres::PostgresDatabase>(url, pool_size);
}

std::string RedactDatabaseUrl(std::string_view url) {
  auto dialect = DialectOf(url);
  if (dialect == Dialect::kSqlite) return std::string(url);  // a file path: nothing secret
  if (dialect == Dialect::kPostgres) {
    // libpq's own reading of the URL (Boost.URL and libpq disagree on '#', '?'...).
    return postgres::ConninfoForDisplay(std::string(url)).value_or("postgres://<unparsable>");
  }
  // Neither dialect: a short scheme at most ("mysql:<redacted>"), never what follows.
  constexpr std::size_t kMaxScheme = 16;
  std::size_t colon = url.find(':');
  bool scheme = colon != std::string_view::npos && colon > 0 && colon <= kMaxScheme &&
                std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(colon),
                            [](char c) { return c >= 'a' && c <= 'z'; });
  return scheme ? std::string(url.substr(0, colon + 1)) + "<redacted>" : "<redacted>";
}

std::string MaskDatabaseUrl(std::string_view url) {
  if (DialectOf(url) != Dialect::kPostgres) return RedactDatabaseUrl(url);
  return postgres::ScrubConninfoSecrets(std::string(url), std::string(url));
}

}  // namespace latchkey::store
