// The SQLite implementation of mail::OutboxStore on SqliteDatabase's connection pool. Every
// write is one statement; the claim is one UPDATE ... RETURNING, which SQLite runs under its
// single write lock, so two claims never take one row (mail/outbox_store.h: one process, one
// sender per SQLite database). Blocking: call from a worker thread. Thread-safety: safe from
// many threads.
#pragma once

#include "mail/outbox_store.h"
#include "store/sqlite/connection.h"

namespace latchkey::store::sqlite {

class SqliteOutboxStore final : public mail::OutboxStore {
 public:
  explicit SqliteOutboxStore(ConnectionPool& pool) : pool_(pool) {}

  Result<std::int64_t> Enqueue(const mail::OutgoingMail& mail, UnixTime now) override;
  Result<std::vector<mail::ClaimedMail>> Claim(std::string_view claimer, UnixTime now,
                                               UnixTime lease_until, int limit) override;
  Result<bool> MarkSent(std::int64_t id, UnixTime at, std::string_view message_id) override;
  Result<bool> Reschedule(std::int64_t id, std::string_view claimer, UnixTime next_attempt_at,
                          std::string_view error) override;
  Result<bool> GiveUp(std::int64_t id, std::string_view claimer, UnixTime at,
                      std::string_view error) override;
  Result<std::vector<mail::MailRecord>> List(std::optional<mail::MailState> state,
                                             int limit) override;
  Result<mail::RetryOutcome> Retry(std::int64_t id, UnixTime now) override;
  Result<long> ScrubFailedBefore(UnixTime cutoff) override;
  Result<long> DeleteFinishedBefore(UnixTime cutoff) override;
  Result<mail::OutboxStats> Stats() override;

 private:
  ConnectionPool& pool_;
};

}  // namespace latchkey::store::sqlite
