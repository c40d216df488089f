// Store contract for throttling counters. Blocking: call from a worker pool.
// Thread-safety: implementations are safe from many threads; UpdateThrottle is atomic
// (read, compute, write in one transaction) across threads and processes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/errc.h"

namespace latchkey::throttle {

// Times to the millisecond: a lock lasts its whole delay (issue 18, "lock precision").
struct ThrottleState {
  long failures = 0;  // failures since the count last restarted
  UnixTimeMs last_failure_at{};
  UnixTimeMs window_start{};   // start of the current hour window
  long window_failures = 0;    // failures in that window
  UnixTimeMs locked_until{};   // no attempt before this time
  long pending = 0;            // attempts admitted and not yet settled (in flight)
  UnixTimeMs pending_until{};  // after this, `pending` is stale (a node died mid-attempt)
};

class ThrottleStore {
 public:
  virtual ~ThrottleStore() = default;

  // The counter for key, if any.
  virtual Result<std::optional<ThrottleState>> GetThrottle(std::string_view key) = 0;

  // Atomically replaces the counter for key (absent: a zero state) with update(counter).
  virtual Result<ThrottleState> UpdateThrottle(
      std::string_view key, const std::function<ThrottleState(const ThrottleState&)>& update) = 0;

  // Deletes the counter for key.
  virtual Result<void> DeleteThrottle(std::string_view key) = 0;

  // Deletes counters whose last failure, lock and attempts in flight are all before cutoff;
  // returns how many.
  virtual Result<long> DeleteThrottlesBefore(UnixTimeMs cutoff) = 0;
};

}  // namespace latchkey::throttle
