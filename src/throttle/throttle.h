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
// A locked key answers kRateLimited with retry_after, without verifying any password. Times
// are kept to the millisecond, so a lock lasts its whole delay. Logins are admitted before
// their password is checked (Acquire, Admit below) and settled after it (Settle).
// Per-IP limits apply first and grow longer than per-account ones, so an attacker from one
// address is stopped before it can lock a real user out for more than max_delay of the
// account policy; a successful login resets both its keys.
// Counters live in the store, so they survive restarts and are shared by nodes.
// Thread-safety: safe from many threads (state is in the store, updated atomically).
#pragma once

#include <string>
#include <utility>
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
ThrottleState ApplyFailure(const ThrottleState& before, const ThrottlePolicy& policy,
                           UnixTimeMs now);

// How long an admitted attempt counts as in flight unless settled: longer than any password
// check; after it, a node that died mid-attempt no longer holds the budget.
inline constexpr Seconds kAttemptLease = Seconds(30);

// Whether one more attempt may be verified now (pure, for the store's atomic update):
//   kLocked  a lock runs (429 with retry_after);
//   kWait    attempts in flight could, by failing, use up the free failures this one would
//            need: it waits for them to settle rather than being refused or counted;
//   kAdmit   it may go: the failures so far plus the attempts in flight, this one included,
//            stay within free_failures, or none is in flight (past the free failures
//            attempts go one at a time, each failure locking for longer).
// So at most free_failures passwords are ever verified before the first lock, however many
// threads and nodes try at once (OWASP ASVS 2.2.1), and correct logins in parallel (several
// tabs, a password manager retrying) are never refused while the failures are under the limit.
enum class Admission { kAdmit, kWait, kLocked };
Admission Admit(const ThrottleState& state, const ThrottlePolicy& policy, UnixTimeMs now);

class Throttle;

// An attempt Acquire admitted, in flight until settled once: Failed() counts it as a failure,
// Succeeded() does not, Forget() deletes the key's counter (a success that clears it). One not
// settled when it goes out of scope (a store error, a refusal before the password check)
// settles as not failed. Move-only.
class AdmittedAttempt {
 public:
  AdmittedAttempt(Throttle& throttle, std::string key, const ThrottlePolicy& policy)
      : throttle_(&throttle), key_(std::move(key)), policy_(&policy) {}
  AdmittedAttempt(AdmittedAttempt&& other) noexcept
      : throttle_(std::exchange(other.throttle_, nullptr)),
        key_(std::move(other.key_)),
        policy_(other.policy_) {}
  AdmittedAttempt& operator=(AdmittedAttempt&& other) noexcept {
    if (this != &other) {
      Succeeded();
      throttle_ = std::exchange(other.throttle_, nullptr);
      key_ = std::move(other.key_);
      policy_ = other.policy_;
    }
    return *this;
  }
  AdmittedAttempt(const AdmittedAttempt&) = delete;
  AdmittedAttempt& operator=(const AdmittedAttempt&) = delete;
  ~AdmittedAttempt() { Succeeded(); }

  void Failed() { Settle(true); }
  void Succeeded() { Settle(false); }
  void Forget();

 private:
  void Settle(bool failed);

  Throttle* throttle_;  // null once settled
  std::string key_;
  const ThrottlePolicy* policy_;
};

class Throttle {
 public:
  // `max_wait`: the longest an attempt waits for others in flight (Acquire), then 429.
  Throttle(ThrottleStore& store, const Clock& clock, Milliseconds max_wait = Seconds(5))
      : store_(store), clock_(clock), max_wait_(max_wait) {}

  // kRateLimited (with retry_after) when any key is locked now; keys checked in order.
  Result<void> Check(const std::vector<std::string>& keys);

  // Counts a failure against key under policy (an attempt that was not Acquired: signups).
  Result<void> Fail(const std::string& key, const ThrottlePolicy& policy);

  // Admits one attempt on key before its password is verified (Admit): kRateLimited (with
  // retry_after, whole seconds rounded up) when locked, or after waiting max_wait for attempts
  // in flight; otherwise the attempt, in flight until it is settled. Blocks while it waits
  // (call from a worker pool, as every store call).
  Result<AdmittedAttempt> Acquire(const std::string& key, const ThrottlePolicy& policy);

  // Ends an Acquired attempt (AdmittedAttempt calls it): no longer in flight, and counted as a
  // failure when `failed`.
  Result<void> Settle(const std::string& key, const ThrottlePolicy& policy, bool failed);

  // Forgets the keys (after a success), attempts in flight included.
  Result<void> Reset(const std::vector<std::string>& keys);

 private:
  ThrottleStore& store_;
  const Clock& clock_;
  Milliseconds max_wait_;
};

}  // namespace latchkey::throttle
