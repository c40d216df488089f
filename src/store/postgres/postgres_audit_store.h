// The PostgreSQL implementation of audit::EventStore, on PostgresDatabase's pool: one row per
// event in auth_events (ids ascending in insertion order), no transaction needed. Text a
// client sent unchecked (username, address, User-Agent) is made storable first (text.h).
// Blocking: call from a worker pool. Thread-safety: safe from many threads.
#pragma once

#include "audit/event_store.h"
#include "store/postgres/pool.h"

namespace latchkey::store::postgres {

class PostgresAuditStore final : public audit::EventStore {
 public:
  explicit PostgresAuditStore(Pool& pool) : pool_(pool) {}

  Result<void> RecordEvent(const audit::AuthEvent& event) override;
  // A negative `limit` lists every event (LIMIT NULL), as SQLite does.
  Result<std::vector<audit::AuthEvent>> ListUserEvents(identity::UserId user_id,
                                                       int limit) override;
  Result<long> DeleteEventsBefore(UnixTime cutoff) override;

 private:
  Pool& pool_;
};

}  // namespace latchkey::store::postgres
