#include "store/postgres/postgres_outbox_store.h"

#include "store/postgres/outgoing_mail_insert.h"
#include "store/postgres/query.h"
#include "store/postgres/text.h"

namespace latchkey::store::postgres {
namespace {

constexpr const char* kClaim =
    "UPDATE mail_outbox SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1"
    " WHERE id IN (SELECT id FROM mail_outbox WHERE state = 'queued' AND payload IS NOT NULL"
    "  AND next_attempt_at <= $3 AND claimed_until <= $3 ORDER BY next_attempt_at, id LIMIT $4"
    "  FOR UPDATE SKIP LOCKED)"
    " RETURNING id, kind, recipient, user_id, payload, attempts, created_at";
constexpr const char* kMarkSent =
    "UPDATE mail_outbox SET state = 'sent', payload = NULL, sent_at = $2, message_id = $3,"
    " claimed_by = '', claimed_until = 0, last_error = '' WHERE id = $1 AND state = 'queued'";
constexpr const char* kReschedule =
    "UPDATE mail_outbox SET next_attempt_at = $3, last_error = $4, claimed_by = '',"
    " claimed_until = 0 WHERE id = $1 AND claimed_by = $2 AND state = 'queued'";
constexpr const char* kGiveUp =
    "UPDATE mail_outbox SET state = 'failed', next_attempt_at = $3, last_error = $4,"
    " claimed_by = '', claimed_until = 0 WHERE id = $1 AND claimed_by = $2 AND state = 'queued'";
constexpr const char* kListAll =
    "SELECT id, kind, recipient, user_id, state, attempts, created_at, next_attempt_at, sent_at,"
    " message_id, last_error, (payload IS NOT NULL)::int FROM mail_outbox"
    " ORDER BY id DESC LIMIT $1";
constexpr const char* kListState =
    "SELECT id, kind, recipient, user_id, state, attempts, created_at, next_attempt_at, sent_at,"
    " message_id, last_error, (payload IS NOT NULL)::int FROM mail_outbox WHERE state = $2"
    " ORDER BY id DESC LIMIT $1";
constexpr const char* kRetry =
    "UPDATE mail_outbox SET state = 'queued', next_attempt_at = $2, attempts = 0,"
    " claimed_by = '', claimed_until = 0 WHERE id = $1 AND state IN ('queued', 'failed')"
    " AND payload IS NOT NULL";
constexpr const char* kStateOf = "SELECT state FROM mail_outbox WHERE id = $1";
constexpr const char* kScrubFailed =
    "UPDATE mail_outbox SET payload = NULL WHERE state = 'failed' AND payload IS NOT NULL"
    " AND next_attempt_at < $1";
constexpr const char* kDeleteFinished =
    "DELETE FROM mail_outbox WHERE (state = 'sent' AND sent_at < $1)"
    " OR (state = 'failed' AND next_attempt_at < $1)";
constexpr const char* kStats =
    "SELECT count(*) FILTER (WHERE state = 'queued'), count(*) FILTER (WHERE state = 'sent'),"
    " count(*) FILTER (WHERE state = 'failed'), min(created_at) FILTER (WHERE state = 'queued')"
    " FROM mail_outbox";

mail::ClaimedMail ReadClaimed(const QueryResult& r, int row) {
  mail::ClaimedMail m;
  m.id = r.Int(row, 0);
  m.kind = r.Text(row, 1);
  m.recipient = r.Text(row, 2);
  if (!r.IsNull(row, 3)) m.user_id = r.Int(row, 3);
  m.payload = r.IsNull(row, 4) ? "" : r.Text(row, 4);
  m.attempts = static_cast<int>(r.Int(row, 5));
  m.created_at = FromUnixSeconds(r.Int(row, 6));
  return m;
}

mail::MailRecord ReadRecord(const QueryResult& r, int row) {
  mail::MailRecord m;
  m.id = r.Int(row, 0);
  m.kind = r.Text(row, 1);
  m.recipient = r.Text(row, 2);
  if (!r.IsNull(row, 3)) m.user_id = r.Int(row, 3);
  m.state = mail::ParseMailState(r.Text(row, 4)).value_or(mail::MailState::kQueued);
  m.attempts = static_cast<int>(r.Int(row, 5));
  m.created_at = FromUnixSeconds(r.Int(row, 6));
  m.next_attempt_at = FromUnixSeconds(r.Int(row, 7));
  if (!r.IsNull(row, 8)) m.sent_at = FromUnixSeconds(r.Int(row, 8));
  m.message_id = r.Text(row, 9);
  m.last_error = r.Text(row, 10);
  m.has_payload = r.Int(row, 11) != 0;
  return m;
}

Result<bool> ChangedOne(const Result<long>& n) {
  if (!n) return n.error();
  return *n == 1;
}

}  // namespace

Result<std::int64_t> PostgresOutboxStore::Enqueue(const mail::OutgoingMail& mail, UnixTime now) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "queue mail", [&] { return InsertOutgoingMail(conn, mail, now); });
  });
}

Result<std::vector<mail::ClaimedMail>> PostgresOutboxStore::Claim(std::string_view claimer,
                                                                  UnixTime now,
                                                                  UnixTime lease_until, int limit) {
  return WithConnection(pool_, [&](Connection& conn) {
    return ReadAll(conn, kClaim, "claim mail", ReadClaimed, {claimer, lease_until, now, limit});
  });
}

Result<bool> PostgresOutboxStore::MarkSent(std::int64_t id, UnixTime at,
                                           std::string_view message_id) {
  return WithConnection(pool_, [&](Connection& conn) {
    return ChangedOne(Run(conn, kMarkSent, "mark mail sent", {id, at, StorableText(message_id)}));
  });
}

Result<bool> PostgresOutboxStore::Reschedule(std::int64_t id, std::string_view claimer,
                                             UnixTime next_attempt_at, std::string_view error) {
  return WithConnection(pool_, [&](Connection& conn) {
    return ChangedOne(Run(conn, kReschedule, "reschedule mail",
                          {id, claimer, next_attempt_at, StorableText(error)}));
  });
}

Result<bool> PostgresOutboxStore::GiveUp(std::int64_t id, std::string_view claimer, UnixTime at,
                                         std::string_view error) {
  return WithConnection(pool_, [&](Connection& conn) {
    return ChangedOne(Run(conn, kGiveUp, "give up mail", {id, claimer, at, StorableText(error)}));
  });
}

Result<std::vector<mail::MailRecord>> PostgresOutboxStore::List(
    std::optional<mail::MailState> state, int limit) {
  return WithConnection(pool_, [&](Connection& conn) {
    if (!state) return ReadAll(conn, kListAll, "list mail", ReadRecord, {limit});
    return ReadAll(conn, kListState, "list mail", ReadRecord, {limit, mail::MailStateName(*state)});
  });
}

Result<mail::RetryOutcome> PostgresOutboxStore::Retry(std::int64_t id, UnixTime now) {
  return WithConnection(pool_, [&](Connection& conn) -> Result<mail::RetryOutcome> {
    auto n = Run(conn, kRetry, "retry mail", {id, now});
    if (!n) return n.error();
    if (*n == 1) return mail::RetryOutcome::kRequeued;
    auto state = ReadOne(conn, kStateOf, "retry mail",
                         [](const QueryResult& r, int row) { return r.Text(row, 0); }, {id});
    if (!state) return state.error();
    if (!*state) return mail::RetryOutcome::kNotFound;
    return **state == "sent" ? mail::RetryOutcome::kAlreadySent : mail::RetryOutcome::kNoContent;
  });
}

Result<long> PostgresOutboxStore::ScrubFailedBefore(UnixTime cutoff) {
  return WithConnection(pool_, [&](Connection& conn) {
    return Run(conn, kScrubFailed, "scrub failed mail", {cutoff});
  });
}

Result<long> PostgresOutboxStore::DeleteFinishedBefore(UnixTime cutoff) {
  return WithConnection(pool_, [&](Connection& conn) {
    return Run(conn, kDeleteFinished, "delete finished mail", {cutoff});
  });
}

Result<mail::OutboxStats> PostgresOutboxStore::Stats() {
  return WithConnection(pool_, [&](Connection& conn) -> Result<mail::OutboxStats> {
    auto r = Exec(conn, kStats, "mail stats");
    if (!r) return r.error();
    mail::OutboxStats s;
    if (r->rows() != 1) return s;
    s.queued = static_cast<long>(r->Int(0, 0));
    s.sent = static_cast<long>(r->Int(0, 1));
    s.failed = static_cast<long>(r->Int(0, 2));
    if (!r->IsNull(0, 3)) s.oldest_unsent = FromUnixSeconds(r->Int(0, 3));
    return s;
  });
}

}  // namespace latchkey::store::postgres
