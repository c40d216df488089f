// When a failed message is tried again: exponential backoff with full jitter (AWS
// Architecture Blog, "Exponential Backoff and Jitter"): after the n-th failed attempt, a delay
// drawn uniformly from [base * 2^(n-1) / 2, base * 2^(n-1)], capped at `cap`. Half the window is
// kept as a floor so that a retry never comes at once. Thread-safety: pure function.
#pragma once

#include "base/clock.h"

namespace latchkey::courier {

struct BackoffPolicy {
  Seconds base{30};       // the window after the first failure
  Seconds cap{3600};      // the longest wait between two attempts
  int max_attempts = 10;  // attempts (claims) before the sender gives up
};

// The delay after `attempts` failed attempts (>= 1); `unit` in [0, 1) picks within the window
// (the sender passes a random value; tests pass fixed ones). At least one second.
Seconds BackoffDelay(const BackoffPolicy& policy, int attempts, double unit);

}  // namespace latchkey::courier
