// The SQLite implementation of audit::EventStore, on SqliteDatabase's connection pool: one
// row per event in auth_events (ids ascending in insertion order), no transaction needed.
// Blocking: call from a worker pool. Thread-safety: safe from many threads.
#pragma once

#include "audit/event_store.h"
#include "store/sqlite/connection.h"

namespace latchkey::store::sqlite {

class SqliteAuditStore final : public audit::EventStore {
 public:
  explicit SqliteAuditStore(ConnectionPool& pool) : pool_(pool) {}

  Result<void> RecordEvent(const audit::AuthEvent& event) override;
  // A negative `limit` lists every event (SQLite reads LIMIT -1 as no limit).
  Result<std::vector<audit::AuthEvent>> ListUserEvents(identity::UserId user_id,
                                                       int limit) override;
  Result<long> DeleteEventsBefore(UnixTime cutoff) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace latchkey::store::sqlite
