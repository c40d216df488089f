#include "store/postgres/postgres_database.h"

#include <spdlog/spdlog.h>

#include <limits>
#include <optional>
#include <stdexcept>

#include "store/postgres/migrations.h"
#include "store/postgres/query.h"

namespace latchkey::store::postgres {
namespace {

constexpr int kExportBatch = 1000;

constexpr const char* kPing = "SELECT 1";
constexpr const char* kCountLiveSessions =
    "SELECT count(*) FROM sessions WHERE expires_at > $1 AND last_seen_at + idle_timeout > $1";
constexpr const char* kSelectUsersAfter =
    "SELECT id, username, name, password_hash, created_at, disabled_at FROM users"
    " WHERE id > $1 ORDER BY id LIMIT $2";
constexpr const char* kImportUser =
    "INSERT INTO users (username, name, password_hash, created_at, disabled_at)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";

}  // namespace

PostgresDatabase::PostgresDatabase(const std::string& url, std::size_t pool_size)
    : url_(url),
      pool_(url, pool_size),
      users_(pool_),
      sessions_(pool_),
      throttles_(pool_),
      events_(pool_) {
  // libpq's parse errors quote the URL, password included: say only that it did not parse.
  if (!ConninfoForDisplay(url_)) {
    throw std::runtime_error(
        "cannot parse the PostgreSQL connection URL (expected "
        "postgres://user:password@host:port/dbname; not shown: it may hold a password)");
  }
  std::string error;
  auto conn = Connection::Connect(url_, error);
  if (!conn) throw std::runtime_error("cannot connect to PostgreSQL: " + error);
  for (int v : Migrate(*conn)) spdlog::info("applied migration {}", v);
}

PostgresDatabase::~PostgresDatabase() {
  std::lock_guard lock(feed_mu_);
  feed_.reset();  // stop the feed thread before the members it may still read go away
}

void PostgresDatabase::StopWatchingSessionChanges() {
  std::lock_guard lock(feed_mu_);
  feed_.reset();
}

Result<void> PostgresDatabase::Ping() {
  return WithConnection(pool_, [](Connection& conn) -> Result<void> {
    if (auto r = Exec(conn, kPing, "ping"); !r) return r.error();
    return {};
  });
}

Result<long> PostgresDatabase::CountLiveSessions(UnixSeconds now) {
  return WithConnection(pool_, [&](Connection& conn) -> Result<long> {
    auto r = Exec(conn, kCountLiveSessions, "count sessions", {now});
    if (!r) return r.error();
    if (r->rows() != 1) return StorageError(*r, "count sessions");
    return static_cast<long>(r->Int(0, 0));
  });
}

PoolUsage PostgresDatabase::pool_usage() { return pool_.usage(); }

Result<void> PostgresDatabase::ForEachUser(
    const std::function<void(const identity::UserRecord&)>& sink) {
  identity::UserId after(std::numeric_limits<std::int64_t>::min());
  for (;;) {
    // One lease per page, returned before the sink runs.
    auto page = WithConnection(pool_, [&](Connection& conn) {
      return ReadAll(conn, kSelectUsersAfter, "export users", ReadUserRow, {after, kExportBatch});
    });
    if (!page) return page.error();
    for (const auto& rec : *page) sink(rec);
    if (page->size() < static_cast<std::size_t>(kExportBatch)) return {};
    after = page->back().user.id;
  }
}

Result<bool> PostgresDatabase::ImportUser(const identity::UserRecord& user) {
  return WithConnection(pool_, [&](Connection& conn) -> Result<bool> {
    auto inserted = Run(conn, kImportUser, "import user",
                        {user.user.username, user.user.name, user.password_hash, user.created_at,
                         user.disabled_at > 0 ? Param(user.disabled_at) : Param::Null()});
    if (!inserted) return inserted.error();
    return *inserted > 0;
  });
}

bool PostgresDatabase::WatchSessionChanges(SessionChangeSink& sink) {
  std::lock_guard lock(feed_mu_);
  if (feed_) throw std::logic_error("WatchSessionChanges: at most one sink");
  feed_ = std::make_unique<SessionFeed>(url_, sink);
  return true;
}

}  // namespace latchkey::store::postgres
