#include "store/sqlite/sqlite_database.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "store/sqlite/migrations.h"
#include "store/sqlite/query.h"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kPing = "SELECT 1";
constexpr const char* kCountLiveSessions =
    "SELECT count(*) FROM sessions WHERE expires_at > ?1 AND last_seen_at + idle_timeout > ?1";
// Keyset pagination: one batch in memory at a time, whatever the table's size.
constexpr const char* kSelectUsersAfter =
    "SELECT " LATCHKEY_SQLITE_USER_COLUMNS " FROM users WHERE id > ?1 ORDER BY id LIMIT 1000";
constexpr const char* kMaxChangeSeq = "SELECT COALESCE(MAX(seq), 0) FROM session_changes";
constexpr const char* kSelectFeedNodes =
    "SELECT id, host, pid, applied_seq, heartbeat_ms FROM feed_nodes ORDER BY id";
constexpr const char* kImportUser =
    "INSERT INTO users (username, name, password_hash, created_at, disabled_at, email,"
    " email_key, email_verified_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING";

}  // namespace

SqliteDatabase::SqliteDatabase(const std::string& path, std::size_t pool_size)
    : path_(path),
      pool_(path, pool_size),
      users_(pool_),
      tokens_(pool_),
      sessions_(pool_),
      throttles_(pool_),
      events_(pool_),
      outbox_(pool_) {
  auto conn = pool_.Acquire();
  for (int v : Migrate(*conn)) spdlog::info("applied migration {}", v);
}

bool SqliteDatabase::WatchSessionChanges(SessionChangeSink& sink) {
  if (poller_) throw std::logic_error("WatchSessionChanges called twice");
  poller_ = std::make_unique<ChangePoller>(path_, kFeedInterval);
  poller_->Start(sink);
  return true;
}

Result<void> SqliteDatabase::Ping() {
  auto conn = pool_.Acquire();
  auto row = Query(*conn, kPing, "ping").Step();
  if (!row) return row.error();
  if (!*row) return StorageError(*conn, "ping");
  return {};
}

Result<long> SqliteDatabase::CountLiveSessions(UnixTime now) {
  auto conn = pool_.Acquire();
  auto count = ReadOne(
      *conn, kCountLiveSessions, "count sessions", [](const Query& row) { return row.Int(0); },
      now);
  if (!count) return count.error();
  if (!*count) return StorageError(*conn, "count sessions");
  return static_cast<long>(**count);
}

PoolUsage SqliteDatabase::pool_usage() { return pool_.usage(); }

Result<void> SqliteDatabase::ForEachUser(
    const std::function<void(const identity::UserRecord&)>& sink) {
  identity::UserId after;
  for (;;) {
    Result<std::vector<identity::UserRecord>> batch;
    {
      auto conn = pool_.Acquire();  // returned before the sink runs
      batch = ReadAll(*conn, kSelectUsersAfter, "user export", ReadUserRow, after);
    }
    if (!batch) return batch.error();
    if (batch->empty()) return {};
    for (const auto& rec : *batch) sink(rec);
    after = batch->back().user.id;
  }
}

Result<bool> SqliteDatabase::ImportUser(const identity::UserRecord& rec) {
  auto conn = pool_.Acquire();
  auto inserted =
      Run(*conn, kImportUser, "user import", rec.user.username, rec.user.name, rec.password_hash,
          rec.created_at,
          rec.disabled_at != UnixTime{} ? std::optional<UnixTime>(rec.disabled_at) : std::nullopt,
          EmailColumn(rec.user.email), EmailKeyColumn(rec.user.email),
          rec.user.email_verified ? std::optional<UnixTime>(rec.email_verified_at) : std::nullopt);
  if (!inserted) return inserted.error();
  return *inserted > 0;
}

Result<std::int64_t> SqliteDatabase::MarkChangeFeed() {
  auto conn = pool_.Acquire();
  auto seq = ReadOne(*conn, kMaxChangeSeq, "mark change feed",
                     [](const Query& row) { return row.Int(0); });
  if (!seq) return seq.error();
  if (!*seq) return StorageError(*conn, "mark change feed");
  return **seq;
}

Result<std::vector<FeedNode>> SqliteDatabase::ListFeedNodes() {
  auto conn = pool_.Acquire();
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  return ReadAll(*conn, kSelectFeedNodes, "list feed nodes", [now_ms](const Query& row) {
    FeedNode n;
    n.node.id = row.Text(0);
    n.node.host = row.Text(1);
    n.node.pid = row.Int(2);
    n.applied_seq = row.Int(3);
    n.silent = std::chrono::milliseconds(now_ms - row.Int(4));
    return n;
  });
}

}  // namespace latchkey::store::sqlite
