#include "store/postgres/postgres_security_store.h"

#include "store/postgres/postgres_errors.h"
#include "store/postgres/text.h"

namespace latchkey::store::postgres {
namespace {

constexpr const char* kSelectThrottle =
    "SELECT failures, last_failure_at, window_start, window_failures, locked_until"
    " FROM throttles WHERE key = $1";
// A SELECT ... FOR UPDATE of an absent row locks nothing (two first failures would both read
// "absent" and one would be lost): create the zero row first, then lock it.
constexpr const char* kInsertZeroThrottle =
    "INSERT INTO throttles (key, failures, last_failure_at, window_start, window_failures,"
    " locked_until) VALUES ($1, 0, 0, 0, 0, 0) ON CONFLICT (key) DO NOTHING";
constexpr const char* kLockThrottle =
    "SELECT failures, last_failure_at, window_start, window_failures, locked_until"
    " FROM throttles WHERE key = $1 FOR UPDATE";
constexpr const char* kUpdateThrottle =
    "UPDATE throttles SET failures = $2, last_failure_at = $3, window_start = $4,"
    " window_failures = $5, locked_until = $6 WHERE key = $1";
constexpr const char* kDeleteThrottle = "DELETE FROM throttles WHERE key = $1";
constexpr const char* kDeleteThrottlesBefore =
    "DELETE FROM throttles WHERE last_failure_at < $1 AND locked_until < $1";
constexpr const char* kInsertEvent =
    "INSERT INTO auth_events (at, type, user_id, username, ip, user_agent)"
    " VALUES ($1, $2, $3, $4, $5, $6)";
constexpr const char* kSelectUserEvents =
    "SELECT id, at, type, user_id, username, ip, user_agent FROM auth_events"
    " WHERE user_id = $1 ORDER BY id DESC LIMIT $2";
constexpr const char* kDeleteEventsBefore = "DELETE FROM auth_events WHERE at < $1";

throttle::ThrottleState ReadThrottle(const QueryResult& r) {
  return throttle::ThrottleState{r.Int(0, 0), r.Int(0, 1), r.Int(0, 2), r.Int(0, 3), r.Int(0, 4)};
}

}  // namespace

Result<std::optional<throttle::ThrottleState>> PostgresSecurityStore::GetThrottle(
    std::string_view key) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  QueryResult r = (*lease)->Exec(kSelectThrottle, {key});
  if (!r.ok()) return StorageError(r, "throttle lookup");
  if (r.rows() == 0) return std::optional<throttle::ThrottleState>();
  return std::optional<throttle::ThrottleState>(ReadThrottle(r));
}

Result<throttle::ThrottleState> PostgresSecurityStore::UpdateThrottle(
    std::string_view key,
    const std::function<throttle::ThrottleState(const throttle::ThrottleState&)>& update) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  Connection& conn = **lease;
  Transaction tx(conn);
  if (!tx.Began()) return StorageError(tx.begin_result(), "begin throttle update");
  if (QueryResult r = conn.Exec(kInsertZeroThrottle, {key}); !r.ok()) {
    return StorageError(r, "throttle create");
  }
  QueryResult locked = conn.Exec(kLockThrottle, {key});
  if (!locked.ok() || locked.rows() != 1) return StorageError(locked, "throttle lock");
  throttle::ThrottleState after = update(ReadThrottle(locked));
  QueryResult written =
      conn.Exec(kUpdateThrottle, {key, after.failures, after.last_failure_at, after.window_start,
                                  after.window_failures, after.locked_until});
  if (!written.ok()) return StorageError(written, "throttle write");
  if (QueryResult c = tx.Commit(); !c.ok()) return StorageError(c, "commit throttle update");
  return after;
}

Result<void> PostgresSecurityStore::DeleteThrottle(std::string_view key) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  QueryResult r = (*lease)->Exec(kDeleteThrottle, {key});
  if (!r.ok()) return StorageError(r, "throttle delete");
  return {};
}

Result<long> PostgresSecurityStore::DeleteThrottlesBefore(UnixSeconds cutoff) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  QueryResult r = (*lease)->Exec(kDeleteThrottlesBefore, {cutoff});
  if (!r.ok()) return StorageError(r, "throttle sweep");
  return r.Affected();
}

Result<void> PostgresSecurityStore::RecordEvent(const audit::AuthEvent& e) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  QueryResult r = (*lease)->Exec(
      kInsertEvent, {e.at, e.type, e.user_id ? Param(*e.user_id) : Param::Null(),
                     StorableText(e.username), StorableText(e.ip), StorableText(e.user_agent)});
  if (!r.ok()) return StorageError(r, "event insert");
  return {};
}

Result<std::vector<audit::AuthEvent>> PostgresSecurityStore::ListUserEvents(
    identity::UserId user_id, int limit) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  // SQLite reads a negative LIMIT as "no limit"; PostgreSQL's spelling is LIMIT NULL.
  QueryResult r =
      (*lease)->Exec(kSelectUserEvents, {user_id, limit < 0 ? Param::Null() : Param(limit)});
  if (!r.ok()) return StorageError(r, "event list");
  std::vector<audit::AuthEvent> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    audit::AuthEvent e;
    e.id = r.Int(row, 0);
    e.at = r.Int(row, 1);
    e.type = r.Text(row, 2);
    if (!r.IsNull(row, 3)) e.user_id = r.Int(row, 3);
    e.username = r.Text(row, 4);
    e.ip = r.Text(row, 5);
    e.user_agent = r.Text(row, 6);
    out.push_back(std::move(e));
  }
  return out;
}

Result<long> PostgresSecurityStore::DeleteEventsBefore(UnixSeconds cutoff) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  QueryResult r = (*lease)->Exec(kDeleteEventsBefore, {cutoff});
  if (!r.ok()) return StorageError(r, "event sweep");
  return r.Affected();
}

}  // namespace latchkey::store::postgres
