#include "store/sqlite/sqlite_database.h"

#include <stdexcept>

#include "store/sqlite/sqlite_errors.h"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kPing = "SELECT 1";
constexpr const char* kCountLiveSessions =
    "SELECT count(*) FROM sessions WHERE expires_at > ?1 AND last_seen_at + idle_timeout > ?1";
// Keyset pagination: one batch in memory at a time, whatever the table's size.
constexpr const char* kSelectUsersAfter =
    "SELECT id, username, name, password_hash, created_at, disabled_at FROM users WHERE id > ?1"
    " ORDER BY id LIMIT 1000";
constexpr const char* kImportUser =
    "INSERT INTO users (username, name, password_hash, created_at, disabled_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING";

}  // namespace

bool SqliteDatabase::WatchSessionChanges(SessionChangeSink& sink) {
  if (poller_) throw std::logic_error("WatchSessionChanges called twice");
  poller_ = std::make_unique<ChangePoller>(path_, kFeedInterval);
  poller_->Start(sink);
  return true;
}

Result<void> SqliteDatabase::Ping() {
  auto conn = store_.pool().Acquire();
  auto stmt = conn->Prepare(kPing);
  if (!stmt || stmt->Step() != SQLITE_ROW) return StorageError(*conn, "ping");
  return {};
}

Result<long> SqliteDatabase::CountLiveSessions(UnixSeconds now) {
  auto conn = store_.pool().Acquire();
  auto stmt = conn->Prepare(kCountLiveSessions);
  if (!stmt || stmt->Bind(1, now).Step() != SQLITE_ROW)
    return StorageError(*conn, "count sessions");
  return static_cast<long>(stmt->Int(0));
}

PoolUsage SqliteDatabase::pool_usage() { return store_.pool().usage(); }

Result<void> SqliteDatabase::ForEachUser(
    const std::function<void(const identity::UserRecord&)>& sink) {
  identity::UserId after = 0;
  for (;;) {
    std::vector<identity::UserRecord> batch;
    {
      auto conn = store_.pool().Acquire();
      auto stmt = conn->Prepare(kSelectUsersAfter);
      if (!stmt) return StorageError(*conn, "prepare user export");
      stmt->Bind(1, after);
      int rc;
      while ((rc = stmt->Step()) == SQLITE_ROW) {
        identity::UserRecord rec;
        rec.user = {stmt->Int(0), stmt->Text(1), stmt->Text(2)};
        rec.password_hash = stmt->Text(3);
        rec.created_at = stmt->Int(4);
        rec.disabled_at = stmt->IsNull(5) ? 0 : stmt->Int(5);
        batch.push_back(std::move(rec));
      }
      if (rc != SQLITE_DONE) return StorageError(*conn, "user export");
    }
    if (batch.empty()) return {};
    for (const auto& rec : batch) sink(rec);
    after = batch.back().user.id;
  }
}

Result<bool> SqliteDatabase::ImportUser(const identity::UserRecord& rec) {
  auto conn = store_.pool().Acquire();
  auto stmt = conn->Prepare(kImportUser);
  if (!stmt) return StorageError(*conn, "prepare user import");
  stmt->Bind(1, rec.user.username)
      .Bind(2, rec.user.name)
      .Bind(3, rec.password_hash)
      .Bind(4, rec.created_at);
  if (rec.disabled_at > 0) {
    stmt->Bind(5, rec.disabled_at);
  } else {
    stmt->BindNull(5);
  }
  if (stmt->Step() != SQLITE_DONE) return StorageError(*conn, "user import");
  return conn->Changes() > 0;
}

}  // namespace latchkey::store::sqlite
