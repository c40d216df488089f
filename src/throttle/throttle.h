// Brute-force throttling of logins and signups (OWASP ASVS 2.2.1; NIST SP 800-63B 5.2.2:
// at most 100 consecutive failed attempts per account; OWASP Authentication Cheat Sheet,
// "Protect Against Automated Attacks").
//
// A counter per key ("ip:<addr>", "user:<lowercased username>", "signup-ip:<addr>"):
//   - failures decay: a key unused for `decay` seconds starts again from zero (a sliding
//     window of inactivity);
//   - after `free_failures` failures each further one locks the key for an exponentially
//     growing delay: 1 s, 2 s, 4 s, ... up to `max_delay`;
//   - at most `hourly_cap` failures per fixed hour window: then the key stays locked until
//     the window ends.
// A locked key answers kRateLimited with retry_after, without verifying any password.
// Per-IP limits apply first and grow longer than per-account ones, so an attacker from one
// address is stopped before it can lock a real user out for more than max_delay of the
// account policy; a successful login resets both its keys.
// Counters live in the store, so they survive restarts and are shared by nodes.
// Thread-safety: safe from many threads (state is in the store, updated atomically).
#pragma once

#include <string>
#include <vector>

#include "base/clock.h"
#include "base/errc.h"
#include "throttle/throttle_store.h"

namespace latchkey::throttle {

struct ThrottlePolicy {
  long free_failures = 5;                 // failures allowed before delays start
  Seconds base_delay = Seconds(1);        // doubles with each further failure
  Seconds max_delay = Seconds(60);        // the longest delay one failure can cause
  Seconds decay = std::chrono::hours(1);  // without a failure this long, the count restarts
  long hourly_cap = 100;  // failures per window (kThrottleWindow), then locked until it ends
};

// The window of ThrottlePolicy::hourly_cap.
inline constexpr Seconds kThrottleWindow = std::chrono::hours(1);

// Applies a policy to a counter: pure, for the store's atomic update and for unit tests.
ThrottleState ApplyFailure(const ThrottleState& before, const ThrottlePolicy& policy, UnixTime now);

class Throttle {
 public:
  Throttle(ThrottleStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // kRateLimited (with retry_after) when any key is locked now; keys checked in order.
  Result<void> Check(const std::vector<std::string>& keys);

  // Counts a failure against key under policy.
  Result<void> Fail(const std::string& key, const ThrottlePolicy& policy);

  // What Acquire changed, so that Refund can take it back.
  struct Attempt {
    UnixTime lock_before{};  // locked_until before the attempt was counted
    UnixTime lock_after{};   // locked_until the count set
  };

  // Check and Fail in one atomic step, before the password is verified: kRateLimited (with
  // retry_after) when key is locked now; otherwise this attempt is counted as a failure at
  // once. A separate check-then-count lets every attempt in flight (hashing threads x nodes)
  // pass the same check; counting first means at most free_failures attempts are ever
  // verified before the lock (OWASP ASVS 2.2.1). A verified attempt then calls Refund.
  Result<Attempt> Acquire(const std::string& key, const ThrottlePolicy& policy);

  // Takes back the failure Acquire counted (the attempt succeeded), and the lock that count
  // set unless a later failure has moved it since.
  Result<void> Refund(const std::string& key, const Attempt& attempt);

  // Forgets the keys (after a success).
  Result<void> Reset(const std::vector<std::string>& keys);

 private:
  ThrottleStore& store_;
  const Clock& clock_;
};

}  // namespace latchkey::throttle
