#include "store/postgres/postgres_throttle_store.h"

#include "store/postgres/query.h"

namespace latchkey::store::postgres {
namespace {

constexpr const char* kSelectThrottle =
    "SELECT failures, last_failure_ms, window_start_ms, window_failures, locked_until_ms,"
    " pending, pending_until_ms FROM throttles WHERE key = $1";
// A SELECT ... FOR UPDATE of an absent row locks nothing (two first failures would both read
// "absent" and one would be lost): create the zero row first, then lock it.
constexpr const char* kInsertZeroThrottle =
    "INSERT INTO throttles (key, failures, last_failure_ms, window_start_ms, window_failures,"
    " locked_until_ms, pending, pending_until_ms) VALUES ($1, 0, 0, 0, 0, 0, 0, 0)"
    " ON CONFLICT (key) DO NOTHING";
constexpr const char* kLockThrottle =
    "SELECT failures, last_failure_ms, window_start_ms, window_failures, locked_until_ms,"
    " pending, pending_until_ms FROM throttles WHERE key = $1 FOR UPDATE";
constexpr const char* kUpdateThrottle =
    "UPDATE throttles SET failures = $2, last_failure_ms = $3, window_start_ms = $4,"
    " window_failures = $5, locked_until_ms = $6, pending = $7, pending_until_ms = $8"
    " WHERE key = $1";
constexpr const char* kDeleteThrottle = "DELETE FROM throttles WHERE key = $1";
constexpr const char* kDeleteThrottlesBefore =
    "DELETE FROM throttles WHERE last_failure_ms < $1 AND locked_until_ms < $1"
    " AND pending_until_ms < $1";

throttle::ThrottleState ReadThrottle(const QueryResult& r, int row) {
  return throttle::ThrottleState{r.Int(row, 0),
                                 FromUnixMillis(r.Int(row, 1)),
                                 FromUnixMillis(r.Int(row, 2)),
                                 r.Int(row, 3),
                                 FromUnixMillis(r.Int(row, 4)),
                                 r.Int(row, 5),
                                 FromUnixMillis(r.Int(row, 6))};
}

}  // namespace

Result<std::optional<throttle::ThrottleState>> PostgresThrottleStore::GetThrottle(
    std::string_view key) {
  return WithConnection(pool_, [&](Connection& conn) {
    return ReadOne(conn, kSelectThrottle, "throttle lookup", ReadThrottle, {key});
  });
}

Result<throttle::ThrottleState> PostgresThrottleStore::UpdateThrottle(
    std::string_view key,
    const std::function<throttle::ThrottleState(const throttle::ThrottleState&)>& update) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "throttle update", [&]() -> Result<throttle::ThrottleState> {
      if (auto r = Run(conn, kInsertZeroThrottle, "throttle create", {key}); !r) return r.error();
      auto locked = Exec(conn, kLockThrottle, "throttle lock", {key});
      if (!locked) return locked.error();
      if (locked->rows() != 1) return StorageError(*locked, "throttle lock");
      throttle::ThrottleState after = update(ReadThrottle(*locked, 0));
      auto written =
          Run(conn, kUpdateThrottle, "throttle write",
              {key, after.failures, after.last_failure_at, after.window_start,
               after.window_failures, after.locked_until, after.pending, after.pending_until});
      if (!written) return written.error();
      return after;
    });
  });
}

Result<void> PostgresThrottleStore::DeleteThrottle(std::string_view key) {
  return WithConnection(pool_, [&](Connection& conn) -> Result<void> {
    if (auto r = Run(conn, kDeleteThrottle, "throttle delete", {key}); !r) return r.error();
    return {};
  });
}

Result<long> PostgresThrottleStore::DeleteThrottlesBefore(UnixTimeMs cutoff) {
  return WithConnection(pool_, [&](Connection& conn) {
    return Run(conn, kDeleteThrottlesBefore, "throttle sweep", {cutoff});
  });
}

}  // namespace latchkey::store::postgres
