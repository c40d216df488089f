// The SQLite implementation of the throttling and audit contracts
// (throttle::ThrottleStore, audit::EventStore), sharing SqliteStore's connection pool.
// Blocking: call from a worker pool. Thread-safety: safe from many threads.
#pragma once

#include "audit/event_store.h"
#include "store/sqlite/connection.h"
#include "throttle/throttle_store.h"

namespace latchkey::store::sqlite {

class SqliteSecurityStore final : public throttle::ThrottleStore, public audit::EventStore {
 public:
  explicit SqliteSecurityStore(ConnectionPool& pool) : pool_(pool) {}

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
  ConnectionPool& pool_;
};

}  // namespace latchkey::store::sqlite
