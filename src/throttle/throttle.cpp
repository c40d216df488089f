#include "throttle/throttle.h"

#include <algorithm>

namespace latchkey::throttle {

ThrottleState ApplyFailure(const ThrottleState& before, const ThrottlePolicy& policy,
                           UnixSeconds now) {
  ThrottleState s = before;
  if (now - s.last_failure_at >= policy.decay) s.failures = 0;
  if (now - s.window_start >= 3600) {
    s.window_start = now;
    s.window_failures = 0;
  }
  ++s.failures;
  ++s.window_failures;
  s.last_failure_at = now;
  if (s.failures >= policy.free_failures) {
    long steps = std::min<long>(s.failures - policy.free_failures, 30);
    long delay = std::min(policy.max_delay, policy.base_delay << steps);
    s.locked_until = std::max(s.locked_until, now + delay);
  }
  if (s.window_failures >= policy.hourly_cap) {
    s.locked_until = std::max(s.locked_until, s.window_start + 3600);
  }
  return s;
}

Result<void> Throttle::Check(const std::vector<std::string>& keys) {
  UnixSeconds now = clock_.Now();
  for (const std::string& key : keys) {
    auto state = store_.GetThrottle(key);
    if (!state) return state.error();
    if (*state && (*state)->locked_until > now) {
      Error e = MakeError(Errc::kRateLimited, "Too many attempts. Try again later.");
      e.retry_after = static_cast<long>((*state)->locked_until - now);
      return e;
    }
  }
  return {};
}

Result<void> Throttle::Fail(const std::string& key, const ThrottlePolicy& policy) {
  UnixSeconds now = clock_.Now();
  auto r = store_.UpdateThrottle(
      key, [&](const ThrottleState& before) { return ApplyFailure(before, policy, now); });
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
