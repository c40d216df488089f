#include "store/postgres/postgres_audit_store.h"

#include "store/postgres/query.h"
#include "store/postgres/text.h"

namespace latchkey::store::postgres {
namespace {

constexpr const char* kInsertEvent =
    "INSERT INTO auth_events (at, type, user_id, username, ip, user_agent)"
    " VALUES ($1, $2, $3, $4, $5, $6)";
constexpr const char* kSelectUserEvents =
    "SELECT id, at, type, user_id, username, ip, user_agent FROM auth_events"
    " WHERE user_id = $1 ORDER BY id DESC LIMIT $2";
constexpr const char* kDeleteEventsBefore = "DELETE FROM auth_events WHERE at < $1";

audit::AuthEvent ReadEvent(const QueryResult& r, int row) {
  audit::AuthEvent e;
  e.id = r.Int(row, 0);
  e.at = r.Int(row, 1);
  e.type = r.Text(row, 2);
  if (!r.IsNull(row, 3)) e.user_id = identity::UserId(r.Int(row, 3));
  e.username = r.Text(row, 4);
  e.ip = r.Text(row, 5);
  e.user_agent = r.Text(row, 6);
  return e;
}

}  // namespace

Result<void> PostgresAuditStore::RecordEvent(const audit::AuthEvent& e) {
  return WithConnection(pool_, [&](Connection& conn) -> Result<void> {
    auto inserted = Run(conn, kInsertEvent, "event insert",
                        {e.at, e.type, e.user_id ? Param(*e.user_id) : Param::Null(),
                         StorableText(e.username), StorableText(e.ip), StorableText(e.user_agent)});
    if (!inserted) return inserted.error();
    return {};
  });
}

Result<std::vector<audit::AuthEvent>> PostgresAuditStore::ListUserEvents(identity::UserId user_id,
                                                                         int limit) {
  return WithConnection(pool_, [&](Connection& conn) {
    // SQLite reads a negative LIMIT as "no limit"; PostgreSQL's spelling is LIMIT NULL.
    return ReadAll(conn, kSelectUserEvents, "event list", ReadEvent,
                   {user_id, limit < 0 ? Param::Null() : Param(limit)});
  });
}

Result<long> PostgresAuditStore::DeleteEventsBefore(UnixSeconds cutoff) {
  return WithConnection(pool_, [&](Connection& conn) {
    return Run(conn, kDeleteEventsBefore, "event sweep", {cutoff});
  });
}

}  // namespace latchkey::store::postgres
