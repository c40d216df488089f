#include "store/sqlite/sqlite_security_store.h"

#include "store/sqlite/sqlite_errors.h"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kSelectThrottle =
    "SELECT failures, last_failure_at, window_start, window_failures, locked_until"
    " FROM throttles WHERE key = ?1";
constexpr const char* kUpsertThrottle =
    "INSERT INTO throttles (key, failures, last_failure_at, window_start, window_failures,"
    " locked_until) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(key) DO UPDATE SET"
    " failures = excluded.failures, last_failure_at = excluded.last_failure_at,"
    " window_start = excluded.window_start, window_failures = excluded.window_failures,"
    " locked_until = excluded.locked_until";
constexpr const char* kDeleteThrottle = "DELETE FROM throttles WHERE key = ?1";
constexpr const char* kDeleteThrottlesBefore =
    "DELETE FROM throttles WHERE last_failure_at < ?1 AND locked_until < ?1";
constexpr const char* kInsertEvent =
    "INSERT INTO auth_events (at, type, user_id, username, ip, user_agent)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kSelectUserEvents =
    "SELECT id, at, type, user_id, username, ip, user_agent FROM auth_events"
    " WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2";
constexpr const char* kDeleteEventsBefore = "DELETE FROM auth_events WHERE at < ?1";

throttle::ThrottleState ReadThrottle(const Statement& stmt) {
  return throttle::ThrottleState{stmt.Int(0), stmt.Int(1), stmt.Int(2), stmt.Int(3), stmt.Int(4)};
}

}  // namespace

Result<std::optional<throttle::ThrottleState>> SqliteSecurityStore::GetThrottle(
    std::string_view key) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kSelectThrottle);
  if (!stmt) return StorageError(*conn, "prepare throttle lookup");
  int rc = stmt->Bind(1, key).Step();
  if (rc == SQLITE_DONE) return std::optional<throttle::ThrottleState>();
  if (rc != SQLITE_ROW) return StorageError(*conn, "throttle lookup");
  return std::optional<throttle::ThrottleState>(ReadThrottle(*stmt));
}

Result<throttle::ThrottleState> SqliteSecurityStore::UpdateThrottle(
    std::string_view key,
    const std::function<throttle::ThrottleState(const throttle::ThrottleState&)>& update) {
  auto conn = pool_.Acquire();
  Transaction tx(*conn);  // BEGIN IMMEDIATE: no other writer between the read and the write
  if (!tx.Began()) return StorageError(*conn, "begin throttle update");
  throttle::ThrottleState before;
  {
    auto stmt = conn->Prepare(kSelectThrottle);
    if (!stmt) return StorageError(*conn, "prepare throttle lookup");
    int rc = stmt->Bind(1, key).Step();
    if (rc == SQLITE_ROW) {
      before = ReadThrottle(*stmt);
    } else if (rc != SQLITE_DONE) {
      return StorageError(*conn, "throttle lookup");
    }
  }
  throttle::ThrottleState after = update(before);
  {
    auto stmt = conn->Prepare(kUpsertThrottle);
    if (!stmt) return StorageError(*conn, "prepare throttle write");
    int rc = stmt->Bind(1, key)
                 .Bind(2, std::int64_t{after.failures})
                 .Bind(3, after.last_failure_at)
                 .Bind(4, after.window_start)
                 .Bind(5, std::int64_t{after.window_failures})
                 .Bind(6, after.locked_until)
                 .Step();
    if (rc != SQLITE_DONE) return StorageError(*conn, "throttle write");
  }
  if (tx.Commit() != SQLITE_OK) return StorageError(*conn, "commit throttle update");
  return after;
}

Result<void> SqliteSecurityStore::DeleteThrottle(std::string_view key) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kDeleteThrottle);
  if (!stmt) return StorageError(*conn, "prepare throttle delete");
  if (stmt->Bind(1, key).Step() != SQLITE_DONE) return StorageError(*conn, "throttle delete");
  return {};
}

Result<long> SqliteSecurityStore::DeleteThrottlesBefore(UnixSeconds cutoff) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kDeleteThrottlesBefore);
  if (!stmt) return StorageError(*conn, "prepare throttle sweep");
  if (stmt->Bind(1, cutoff).Step() != SQLITE_DONE) return StorageError(*conn, "throttle sweep");
  return static_cast<long>(conn->Changes());
}

Result<void> SqliteSecurityStore::RecordEvent(const audit::AuthEvent& e) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kInsertEvent);
  if (!stmt) return StorageError(*conn, "prepare event insert");
  stmt->Bind(1, e.at).Bind(2, e.type);
  if (e.user_id) {
    stmt->Bind(3, *e.user_id);
  } else {
    stmt->BindNull(3);
  }
  if (stmt->Bind(4, e.username).Bind(5, e.ip).Bind(6, e.user_agent).Step() != SQLITE_DONE) {
    return StorageError(*conn, "event insert");
  }
  return {};
}

Result<std::vector<audit::AuthEvent>> SqliteSecurityStore::ListUserEvents(identity::UserId user_id,
                                                                          int limit) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kSelectUserEvents);
  if (!stmt) return StorageError(*conn, "prepare event list");
  stmt->Bind(1, user_id).Bind(2, std::int64_t{limit});
  std::vector<audit::AuthEvent> out;
  int rc;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    audit::AuthEvent e;
    e.id = stmt->Int(0);
    e.at = stmt->Int(1);
    e.type = stmt->Text(2);
    if (!stmt->IsNull(3)) e.user_id = stmt->Int(3);
    e.username = stmt->Text(4);
    e.ip = stmt->Text(5);
    e.user_agent = stmt->Text(6);
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return StorageError(*conn, "event list");
  return out;
}

Result<long> SqliteSecurityStore::DeleteEventsBefore(UnixSeconds cutoff) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kDeleteEventsBefore);
  if (!stmt) return StorageError(*conn, "prepare event sweep");
  if (stmt->Bind(1, cutoff).Step() != SQLITE_DONE) return StorageError(*conn, "event sweep");
  return static_cast<long>(conn->Changes());
}

}  // namespace latchkey::store::sqlite
