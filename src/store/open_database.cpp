#include "store/open_database.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <stdexcept>

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
    throw std::invalid_argument("--db must be sqlite:<path> or postgres://..., got '" +
                                RedactDatabaseUrl(url) + "'");
  }
  if (*dialect == Dialect::kSqlite) {
    std::string path = url.substr(std::string_view("sqlite:").size());
    if (path.empty()) throw std::invalid_argument("--db sqlite: needs a file path");
    return std::make_unique<sqlite::SqliteDatabase>(path, pool_size);
  }
  return std::make_unique<postgres::PostgresDatabase>(url, pool_size);
}

std::string RedactDatabaseUrl(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return std::string(url.substr(0, url.find(':'))) + ":<unparsable>";
  boost::urls::url copy = *parsed;
  if (copy.has_password()) copy.set_password("***");
  // libpq also takes the password as a query parameter.
  auto params = copy.params();
  for (auto it = params.begin(); it != params.end(); ++it) {
    if ((*it).key == "password") it = params.replace(it, {"password", "***"});
  }
  return std::string(copy.buffer());
}

}  // namespace latchkey::store
