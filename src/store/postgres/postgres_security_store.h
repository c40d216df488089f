// The PostgreSQL implementation of the throttling and audit contracts
// (throttle::ThrottleStore, audit::EventStore), on PostgresDatabase's pool.
// UpdateThrottle is atomic across nodes: the row is created if absent, then locked
// (SELECT ... FOR UPDATE) before update() runs, so concurrent failures for one key queue up
// instead of overwriting each other.
// Blocking: call from a worker pool. Thread-safety: safe from many threads.
#pragma once

#include "audit/event_store.h"
#include "store/postgres/pool.h"
#include "throttle/throttle_store.h"

namespace latchkey::store::postgres {

class PostgresSecurityStore final : public throttle::ThrottleStore, public audit::EventStore {
 public:
  explicit PostgresSecurityStore(Pool& pool) : pool_(pool) {}

  Result<std::optional<throttle::ThrottleState>> GetThrottle(std::string_view key) override;
  Result<throttle::ThrottleState> UpdateThrottle(
      std::string_view key,
      const std::function<throttle::ThrottleState(const throttle::ThrottleState&)>& update)
      override;
  Result<void> DeleteThrottle(std::string_view key) override;
  Result<long> DeleteThrottlesBefore(UnixSeconds cutoff) override;

  Result<void> RecordEvent(const audit::AuthEvent& event) override;
  Result<std::vector<audit::AuthEvent>> ListUserEvents(identity::UserId user_id,
                                                       int limit) override;
  Result<long> DeleteEventsBefore(UnixSeconds cutoff) override;

 private:
  Pool& pool_;
};

}  // namespace latchkey::store::postgres
