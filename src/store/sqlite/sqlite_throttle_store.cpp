#include "store/sqlite/sqlite_throttle_store.h"

#include "store/sqlite/query.h"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kSelectThrottle =
    "SELECT failures, last_failure_ms, window_start_ms, window_failures, locked_until_ms,"
    " pending, pending_until_ms FROM throttles WHERE key = ?1";
constexpr const char* kUpsertThrottle =
    "INSERT INTO throttles (key, failures, last_failure_ms, window_start_ms, window_failures,"
    " locked_until_ms, pending, pending_until_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    " ON CONFLICT(key) DO UPDATE SET failures = excluded.failures,"
    " last_failure_ms = excluded.last_failure_ms, window_start_ms = excluded.window_start_ms,"
    " window_failures = excluded.window_failures, locked_until_ms = excluded.locked_until_ms,"
    " pending = excluded.pending, pending_until_ms = excluded.pending_until_ms";
constexpr const char* kDeleteThrottle = "DELETE FROM throttles WHERE key = ?1";
constexpr const char* kDeleteThrottlesBefore =
    "DELETE FROM throttles WHERE last_failure_ms < ?1 AND locked_until_ms < ?1"
    " AND pending_until_ms < ?1";

throttle::ThrottleState ReadThrottle(const Query& row) {
  return throttle::ThrottleState{row.Int(0),
                                 FromUnixMillis(row.Int(1)),
                                 FromUnixMillis(row.Int(2)),
                                 row.Int(3),
                                 FromUnixMillis(row.Int(4)),
                                 row.Int(5),
                                 FromUnixMillis(row.Int(6))};
}

}  // namespace

Result<std::optional<throttle::ThrottleState>> SqliteThrottleStore::GetThrottle(
    std::string_view key) {
  auto conn = pool_.Acquire();
  return ReadOne(*conn, kSelectThrottle, "throttle lookup", ReadThrottle, key);
}

Result<throttle::ThrottleState> SqliteThrottleStore::UpdateThrottle(
    std::string_view key,
    const std::function<throttle::ThrottleState(const throttle::ThrottleState&)>& update) {
  auto conn = pool_.Acquire();
  // BEGIN IMMEDIATE: no other writer between the read and the write.
  return InTransaction(*conn, "throttle update", [&]() -> Result<throttle::ThrottleState> {
    auto before = ReadOne(*conn, kSelectThrottle, "throttle lookup", ReadThrottle, key);
    if (!before) return before.error();
    throttle::ThrottleState after = update(before->value_or(throttle::ThrottleState{}));
    auto written = Run(*conn, kUpsertThrottle, "throttle write", key, after.failures,
                       after.last_failure_at, after.window_start, after.window_failures,
                       after.locked_until, after.pending, after.pending_until);
    if (!written) return written.error();
    return after;
  });
}

Result<void> SqliteThrottleStore::DeleteThrottle(std::string_view key) {
  auto conn = pool_.Acquire();
  if (auto r = Run(*conn, kDeleteThrottle, "throttle delete", key); !r) return r.error();
  return {};
}

Result<long> SqliteThrottleStore::DeleteThrottlesBefore(UnixTimeMs cutoff) {
  auto conn = pool_.Acquire();
  return Run(*conn, kDeleteThrottlesBefore, "throttle sweep", cutoff);
}

}  // namespace latchkey::store::sqlite
