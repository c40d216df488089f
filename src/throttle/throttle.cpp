#include "throttle/throttle.h"

#include <algorithm>
#include <cstdint>

namespace latchkey::throttle {

ThrottleState ApplyFailure(const ThrottleState& before, const ThrottlePolicy& policy,
                           UnixTime now) {
  ThrottleState s = before;
  if (now - s.last_failure_at >= policy.decay) s.failures = 0;
  if (now - s.window_start >= kThrottleWindow) {
    s.window_start = now;
    s.window_failures = 0;
  }
  ++s.failures;
  ++s.window_failures;
  s.last_failure_at = now;
  if (s.failures >= policy.free_failures) {
    long steps = std::min<long>(s.failures - policy.free_failures, 30);
    Seconds delay = std::min(policy.max_delay, policy.base_delay * (std::int64_t{1} << steps));
    s.locked_until = std::max(s.locked_until, now + delay);
  }
  if (s.window_failures >= policy.hourly_cap) {
    s.locked_until = std::max(s.locked_until, s.window_start + kThrottleWindow);
  }
  return s;
}

Result<void> Throttle::Check(const std::vector<std::string>& keys) {
  UnixTime now = clock_.Now();
  for (const std::string& key : keys) {
    auto state = store_.GetThrottle(key);
    if (!state) return state.error();
    if (*state && (*state)->locked_until > now) {
      Error e = MakeError(Errc::kRateLimited);
      e.retry_after = static_cast<long>(((*state)->locked_until - now).count());
      return e;
    }
  }
  return {};
}

Result<void> Throttle::Fail(const std::string& key, const ThrottlePolicy& policy) {
  UnixTime now = clock_.Now();
  auto r = store_.UpdateThrottle(
      key, [&](const ThrottleState& before) { return ApplyFailure(before, policy, now); });
  if (!r) return r.error();
  return {};
}

Result<Throttle::Attempt> Throttle::Acquire(const std::string& key, const ThrottlePolicy& policy) {
  UnixTime now = clock_.Now();
  UnixTime locked_until{};
  Attempt attempt;
  auto r = store_.UpdateThrottle(key, [&](const ThrottleState& before) {
    if (before.locked_until > now) {
      locked_until = before.locked_until;
      return before;  // locked: not counted (nothing will be verified)
    }
    ThrottleState after = ApplyFailure(before, policy, now);
    attempt = {before.locked_until, after.locked_until};
    return after;
  });
  if (!r) return r.error();
  if (locked_until > now) {
    Error e = MakeError(Errc::kRateLimited);
    e.retry_after = static_cast<long>((locked_until - now).count());
    return e;
  }
  return attempt;
}

Result<void> Throttle::Refund(const std::string& key, const Attempt& attempt) {
  auto r = store_.UpdateThrottle(key, [&](const ThrottleState& before) {
    ThrottleState s = before;
    s.failures = std::max(0L, s.failures - 1);
    s.window_failures = std::max(0L, s.window_failures - 1);
    if (s.locked_until == attempt.lock_after) s.locked_until = attempt.lock_before;
    return s;
  });
  if (!r) return r.error();
  return {};
}

Result<void> Throttle::Reset(const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    if (auto r = store_.DeleteThrottle(key); !r) return r.error();
  }
  return {};
}

}  // namespace latchkey::throttle
