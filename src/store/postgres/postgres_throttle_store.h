// The PostgreSQL implementation of throttle::ThrottleStore, on PostgresDatabase's pool.
// UpdateThrottle is atomic across nodes: the row is created if absent, then locked
// (SELECT ... FOR UPDATE) before update() runs, so concurrent failures for one key queue up
// instead of overwriting each other (a lock held elsewhere for over lock_timeout, 5 s, fails
// the call with kStorageUnavailable).
// Blocking: call from a worker pool. Thread-safety: safe from many threads.
#pragma once

#include "store/postgres/pool.h"
#include "throttle/throttle_store.h"

namespace latchkey::store::postgres {

class PostgresThrottleStore final : public throttle::ThrottleStore {
 public:
  explicit PostgresThrottleStore(Pool& pool) : pool_(pool) {}

  Result<std::optional<throttle::ThrottleState>> GetThrottle(std::string_view key) override;
  Result<throttle::ThrottleState> UpdateThrottle(
      std::string_view key,
      const std::function<throttle::ThrottleState(const throttle::ThrottleState&)>& update)
      override;
  Result<void> DeleteThrottle(std::string_view key) override;
  Result<long> DeleteThrottlesBefore(UnixTimeMs cutoff) override;

 private:
  Pool& pool_;
};

}  // namespace latchkey::store::postgres
