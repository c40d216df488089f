#include "store/sqlite/sqlite_audit_store.h"

#include "store/sqlite/query.h"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kInsertEvent =
    "INSERT INTO auth_events (at, type, user_id, username, ip, user_agent)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kSelectUserEvents =
    "SELECT id, at, type, user_id, username, ip, user_agent FROM auth_events"
    " WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2";
constexpr const char* kDeleteEventsBefore = "DELETE FROM auth_events WHERE at < ?1";

audit::AuthEvent ReadEvent(const Query& row) {
  audit::AuthEvent e;
  e.id = row.Int(0);
  e.at = row.Int(1);
  e.type = row.Text(2);
  if (!row.IsNull(3)) e.user_id = identity::UserId(row.Int(3));
  e.username = row.Text(4);
  e.ip = row.Text(5);
  e.user_agent = row.Text(6);
  return e;
}

}  // namespace

Result<void> SqliteAuditStore::RecordEvent(const audit::AuthEvent& e) {
  auto conn = pool_.Acquire();
  auto inserted = Run(*conn, kInsertEvent, "event insert", e.at, e.type, e.user_id, e.username,
                      e.ip, e.user_agent);
  if (!inserted) return inserted.error();
  return {};
}

Result<std::vector<audit::AuthEvent>> SqliteAuditStore::ListUserEvents(identity::UserId user_id,
                                                                       int limit) {
  auto conn = pool_.Acquire();
  return ReadAll(*conn, kSelectUserEvents, "event list", ReadEvent, user_id, limit);
}

Result<long> SqliteAuditStore::DeleteEventsBefore(UnixSeconds cutoff) {
  auto conn = pool_.Acquire();
  return Run(*conn, kDeleteEventsBefore, "event sweep", cutoff);
}

}  // namespace latchkey::store::sqlite
