#include "throttle/throttle.h"

#include <algorithm>
#include <cstdint>
#include <thread>
#include <utility>

namespace latchkey::throttle {
namespace {

// The failures that still count at `now` (decayed to zero after `decay` without one).
long LiveFailures(const ThrottleState& s, const ThrottlePolicy& policy, UnixTimeMs now) {
  return now - s.last_failure_at >= policy.decay ? 0 : s.failures;
}

// The attempts in flight at `now` (none once their lease ran out).
long LivePending(const ThrottleState& s, UnixTimeMs now) {
  return s.pending_until > now ? s.pending : 0;
}

Error RateLimited(UnixTimeMs until, UnixTimeMs now) {
  Error e = MakeError(Errc::kRateLimited);
  // Whole seconds for Retry-After, rounded up: a client that waits that long finds it open.
  e.retry_after =
      std::max<long>(1, static_cast<long>(std::chrono::ceil<Seconds>(until - now).count()));
  return e;
}

// How often a waiting attempt looks again: a password check takes tens of milliseconds.
constexpr Milliseconds kWaitPoll = Milliseconds(10);

}  // namespace

ThrottleState ApplyFailure(const ThrottleState& before, const ThrottlePolicy& policy,
                           UnixTimeMs now) {
  ThrottleState s = before;
  s.failures = LiveFailures(s, policy, now);
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

Admission Admit(const ThrottleState& state, const ThrottlePolicy& policy, UnixTimeMs now) {
  if (state.locked_until > now) return Admission::kLocked;
  long pending = LivePending(state, now);
  if (pending == 0) return Admission::kAdmit;
  if (LiveFailures(state, policy, now) + pending + 1 <= policy.free_failures) {
    return Admission::kAdmit;
  }
  return Admission::kWait;
}

Result<void> Throttle::Check(const std::vector<std::string>& keys) {
  UnixTimeMs now = clock_.NowMs();
  for (const std::string& key : keys) {
    auto state = store_.GetThrottle(key);
    if (!state) return state.error();
    if (*state && (*state)->locked_until > now) return RateLimited((*state)->locked_until, now);
  }
  return {};
}

Result<void> Throttle::Fail(const std::string& key, const ThrottlePolicy& policy) {
  UnixTimeMs now = clock_.NowMs();
  auto r = store_.UpdateThrottle(
      key, [&](const ThrottleState& before) { return ApplyFailure(before, policy, now); });
  if (!r) return r.error();
  return {};
}

void AdmittedAttempt::Settle(bool failed) {
  if (throttle_ == nullptr) return;
  // A store error here leaves the attempt in flight until its lease ends (kAttemptLease).
  (void)std::exchange(throttle_, nullptr)->Settle(key_, *policy_, failed);
}

void AdmittedAttempt::Forget() {
  if (throttle_ == nullptr) return;
  (void)std::exchange(throttle_, nullptr)->Reset({key_});
}

Result<AdmittedAttempt> Throttle::Acquire(const std::string& key, const ThrottlePolicy& policy) {
  auto deadline = std::chrono::steady_clock::now() + max_wait_;
  for (;;) {
    UnixTimeMs now = clock_.NowMs();
    Admission admission = Admission::kAdmit;
    UnixTimeMs locked_until{};
    auto r = store_.UpdateThrottle(key, [&](const ThrottleState& before) {
      admission = Admit(before, policy, now);
      if (admission != Admission::kAdmit) {
        locked_until = before.locked_until;
        return before;
      }
      ThrottleState after = before;
      after.pending = LivePending(before, now) + 1;
      after.pending_until = now + kAttemptLease;
      return after;
    });
    if (!r) return r.error();
    if (admission == Admission::kAdmit) return AdmittedAttempt(*this, key, policy);
    if (admission == Admission::kLocked) return RateLimited(locked_until, now);
    if (std::chrono::steady_clock::now() >= deadline) return RateLimited(now + Seconds(1), now);
    std::this_thread::sleep_for(kWaitPoll);
  }
}

Result<void> Throttle::Settle(const std::string& key, const ThrottlePolicy& policy, bool failed) {
  UnixTimeMs now = clock_.NowMs();
  auto r = store_.UpdateThrottle(key, [&](const ThrottleState& before) {
    ThrottleState s = before;
    s.pending = std::max(0L, LivePending(before, now) - 1);
    return failed ? ApplyFailure(s, policy, now) : s;
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
