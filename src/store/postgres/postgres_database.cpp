#include "store/postgres/postgres_database.h"

#include <spdlog/spdlog.h>

#include <limits>
#include <optional>
#include <stdexcept>

#include "store/postgres/migrations.h"
#include "store/postgres/query.h"
#include "store/postgres/session_notify.h"

namespace latchkey::store::postgres {
namespace {

constexpr int kExportBatch = 1000;

constexpr const char* kPing = "SELECT 1";
constexpr const char* kCountLiveSessions =
    "SELECT count(*) FROM sessions WHERE expires_at > $1 AND last_seen_at + idle_timeout > $1";
constexpr const char* kSelectUsersAfter =
    "SELECT " LATCHKEY_PG_USER_COLUMNS " FROM users WHERE id > $1 ORDER BY id LIMIT $2";
constexpr const char* kSelectFeedNodes =
    "SELECT id, host, pid, applied_seq,"
    " (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT - heartbeat_ms"
    " FROM feed_nodes ORDER BY id";
// A stopping server's last word: bounded, as a stop must be.
constexpr std::chrono::milliseconds kUnregisterTimeout{1000};
constexpr const char* kImportUser =
    "INSERT INTO users (username, name, password_hash, created_at, disabled_at, email,"
    " email_key, email_verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    " ON CONFLICT DO NOTHING";

}  // namespace

PostgresDatabase::PostgresDatabase(const std::string& url, std::size_t pool_size)
    : url_(url),
      pool_(url, pool_size),
      users_(pool_),
      tokens_(pool_),
      sessions_(pool_),
      throttles_(pool_),
      events_(pool_),
      outbox_(pool_) {
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
  if (!feed_) return;
  feed_.reset();
  // A stopped node no longer holds up operators' commands. Failing is harmless: the row goes
  // silent and is ignored, then pruned.
  auto lease = pool_.Acquire(kUnregisterTimeout);
  if (!lease) return;
  (*lease)->SetCallTimeout(kUnregisterTimeout);
  (void)UnregisterFeedNode(**lease, node_);
  (*lease)->SetCallTimeout(kCallTimeout);
}

Result<std::int64_t> PostgresDatabase::MarkChangeFeed() {
  return WithConnection(pool_, [](Connection& conn) -> Result<std::int64_t> {
    auto seq = ReadOne(conn, kMarkFeed, "mark change feed",
                       [](const QueryResult& r, int row) { return r.Int(row, 0); });
    if (!seq) return seq.error();
    if (!*seq) return MakeError(Errc::kStorageUnavailable, "feed_marks has no row");
    return **seq;
  });
}

Result<std::vector<FeedNode>> PostgresDatabase::ListFeedNodes() {
  return WithConnection(pool_, [](Connection& conn) {
    return ReadAll(conn, kSelectFeedNodes, "list feed nodes", [](const QueryResult& r, int row) {
      FeedNode n;
      n.node.id = r.Text(row, 0);
      n.node.host = r.Text(row, 1);
      n.node.pid = r.Int(row, 2);
      n.applied_seq = r.Int(row, 3);
      n.silent = std::chrono::milliseconds(r.Int(row, 4));
      return n;
    });
  });
}

Result<void> PostgresDatabase::Ping() {
  return WithConnection(pool_, [](Connection& conn) -> Result<void> {
    if (auto r = Exec(conn, kPing, "ping"); !r) return r.error();
    return {};
  });
}

Result<long> PostgresDatabase::CountLiveSessions(UnixTime now) {
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
                         user.disabled_at != UnixTime{} ? Param(user.disabled_at) : Param::Null(),
                         EmailParam(user.user.email), EmailKeyParam(user.user.email),
                         user.user.email_verified ? Param(user.email_verified_at) : Param::Null()});
    if (!inserted) return inserted.error();
    return *inserted > 0;
  });
}

bool PostgresDatabase::WatchSessionChanges(SessionChangeSink& sink) {
  std::lock_guard lock(feed_mu_);
  if (feed_) throw std::logic_error("WatchSessionChanges: at most one sink");
  node_ = ThisProcessNode();
  feed_ = std::make_unique<SessionFeed>(url_, node_, sink);
  return true;
}

}  // namespace latchkey::store::postgres
