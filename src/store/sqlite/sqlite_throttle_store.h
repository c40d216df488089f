// The SQLite implementation of throttle::ThrottleStore, on SqliteDatabase's connection pool.
// UpdateThrottle reads, computes and writes in one BEGIN IMMEDIATE transaction: no other
// writer (thread or process) comes between the read and the write, so no failure is lost.
// Blocking: call from a worker pool. Thread-safety: safe from many threads.
#pragma once

#include "store/sqlite/connection.h"
#include "throttle/throttle_store.h"

namespace latchkey::store::sqlite {

class SqliteThrottleStore final : public throttle::ThrottleStore {
 public:
  explicit SqliteThrottleStore(ConnectionPool& pool) : pool_(pool) {}

  Result<std::optional<throttle::ThrottleState>> GetThrottle(std::string_view key) override;
  Result<throttle::ThrottleState> UpdateThrottle(
      std::string_view key,
      const std::function<throttle::ThrottleState(const throttle::ThrottleState&)>& update)
      override;
  Result<void> DeleteThrottle(std::string_view key) override;
  Result<long> DeleteThrottlesBefore(UnixTimeMs cutoff) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace latchkey::store::sqlite
