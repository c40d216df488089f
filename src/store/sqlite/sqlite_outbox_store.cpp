#include "store/sqlite/sqlite_outbox_store.h"

#include "store/sqlite/outgoing_mail_insert.h"
#include "store/sqlite/query.h"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kClaim =
    "UPDATE mail_outbox SET claimed_by = ?1, claimed_until = ?2, attempts = attempts + 1"
    " WHERE id IN (SELECT id FROM mail_outbox WHERE state = 'queued' AND payload IS NOT NULL"
    "  AND next_attempt_at <= ?3 AND claimed_until <= ?3 ORDER BY next_attempt_at, id LIMIT ?4)"
    " RETURNING id, kind, recipient, user_id, payload, attempts, created_at";
constexpr const char* kMarkSent =
    "UPDATE mail_outbox SET state = 'sent', payload = NULL, sent_at = ?2, message_id = ?3,"
    " claimed_by = '', claimed_until = 0, last_error = '' WHERE id = ?1 AND state = 'queued'";
constexpr const char* kReschedule =
    "UPDATE mail_outbox SET next_attempt_at = ?3, last_error = ?4, claimed_by = '',"
    " claimed_until = 0 WHERE id = ?1 AND claimed_by = ?2 AND state = 'queued'";
constexpr const char* kGiveUp =
    "UPDATE mail_outbox SET state = 'failed', next_attempt_at = ?3, last_error = ?4,"
    " claimed_by = '', claimed_until = 0 WHERE id = ?1 AND claimed_by = ?2 AND state = 'queued'";
constexpr const char* kListAll =
    "SELECT id, kind, recipient, user_id, state, attempts, created_at, next_attempt_at, sent_at,"
    " message_id, last_error, payload IS NOT NULL FROM mail_outbox ORDER BY id DESC LIMIT ?1";
constexpr const char* kListState =
    "SELECT id, kind, recipient, user_id, state, attempts, created_at, next_attempt_at, sent_at,"
    " message_id, last_error, payload IS NOT NULL FROM mail_outbox WHERE state = ?2"
    " ORDER BY id DESC LIMIT ?1";
constexpr const char* kRetry =
    "UPDATE mail_outbox SET state = 'queued', next_attempt_at = ?2, attempts = 0,"
    " claimed_by = '', claimed_until = 0 WHERE id = ?1 AND state IN ('queued', 'failed')"
    " AND payload IS NOT NULL";
constexpr const char* kStateOf = "SELECT state, payload IS NOT NULL FROM mail_outbox WHERE id = ?1";
constexpr const char* kScrubFailed =
    "UPDATE mail_outbox SET payload = NULL WHERE state = 'failed' AND payload IS NOT NULL"
    " AND next_attempt_at < ?1";
constexpr const char* kDeleteFinished =
    "DELETE FROM mail_outbox WHERE (state = 'sent' AND sent_at < ?1)"
    " OR (state = 'failed' AND next_attempt_at < ?1)";
constexpr const char* kStats =
    "SELECT COALESCE(SUM(state = 'queued'), 0), COALESCE(SUM(state = 'sent'), 0),"
    " COALESCE(SUM(state = 'failed'), 0), MIN(CASE WHEN state = 'queued' THEN created_at END)"
    " FROM mail_outbox";

mail::ClaimedMail ReadClaimed(const Query& row) {
  mail::ClaimedMail m;
  m.id = row.Int(0);
  m.kind = row.Text(1);
  m.recipient = row.Text(2);
  if (!row.IsNull(3)) m.user_id = row.Int(3);
  m.payload = row.IsNull(4) ? "" : row.Text(4);
  m.attempts = static_cast<int>(row.Int(5));
  m.created_at = FromUnixSeconds(row.Int(6));
  return m;
}

mail::MailRecord ReadRecord(const Query& row) {
  mail::MailRecord r;
  r.id = row.Int(0);
  r.kind = row.Text(1);
  r.recipient = row.Text(2);
  if (!row.IsNull(3)) r.user_id = row.Int(3);
  r.state = mail::ParseMailState(row.Text(4)).value_or(mail::MailState::kQueued);
  r.attempts = static_cast<int>(row.Int(5));
  r.created_at = FromUnixSeconds(row.Int(6));
  r.next_attempt_at = FromUnixSeconds(row.Int(7));
  if (!row.IsNull(8)) r.sent_at = FromUnixSeconds(row.Int(8));
  r.message_id = row.Text(9);
  r.last_error = row.Text(10);
  r.has_payload = row.Int(11) != 0;
  return r;
}

}  // namespace

Result<std::int64_t> SqliteOutboxStore::Enqueue(const mail::OutgoingMail& mail, UnixTime now) {
  auto conn = pool_.Acquire();
  return InTransaction(*conn, "queue mail", [&] { return InsertOutgoingMail(*conn, mail, now); });
}

Result<std::vector<mail::ClaimedMail>> SqliteOutboxStore::Claim(std::string_view claimer,
                                                                UnixTime now, UnixTime lease_until,
                                                                int limit) {
  auto conn = pool_.Acquire();
  return ReadAll(*conn, kClaim, "claim mail", ReadClaimed, claimer, lease_until, now, limit);
}

Result<bool> SqliteOutboxStore::MarkSent(std::int64_t id, UnixTime at,
                                         std::string_view message_id) {
  auto conn = pool_.Acquire();
  auto n = Run(*conn, kMarkSent, "mark mail sent", id, at, message_id);
  if (!n) return n.error();
  return *n == 1;
}

Result<bool> SqliteOutboxStore::Reschedule(std::int64_t id, std::string_view claimer,
                                           UnixTime next_attempt_at, std::string_view error) {
  auto conn = pool_.Acquire();
  auto n = Run(*conn, kReschedule, "reschedule mail", id, claimer, next_attempt_at, error);
  if (!n) return n.error();
  return *n == 1;
}

Result<bool> SqliteOutboxStore::GiveUp(std::int64_t id, std::string_view claimer, UnixTime at,
                                       std::string_view error) {
  auto conn = pool_.Acquire();
  auto n = Run(*conn, kGiveUp, "give up mail", id, claimer, at, error);
  if (!n) return n.error();
  return *n == 1;
}

Result<std::vector<mail::MailRecord>> SqliteOutboxStore::List(std::optional<mail::MailState> state,
                                                              int limit) {
  auto conn = pool_.Acquire();
  if (!state) return ReadAll(*conn, kListAll, "list mail", ReadRecord, limit);
  return ReadAll(*conn, kListState, "list mail", ReadRecord, limit, mail::MailStateName(*state));
}

Result<mail::RetryOutcome> SqliteOutboxStore::Retry(std::int64_t id, UnixTime now) {
  auto conn = pool_.Acquire();
  auto n = Run(*conn, kRetry, "retry mail", id, now);
  if (!n) return n.error();
  if (*n == 1) return mail::RetryOutcome::kRequeued;
  auto row = ReadOne(
      *conn, kStateOf, "retry mail", [](const Query& q) { return q.Text(0); }, id);
  if (!row) return row.error();
  if (!*row) return mail::RetryOutcome::kNotFound;
  return **row == "sent" ? mail::RetryOutcome::kAlreadySent : mail::RetryOutcome::kNoContent;
}

Result<long> SqliteOutboxStore::ScrubFailedBefore(UnixTime cutoff) {
  auto conn = pool_.Acquire();
  return Run(*conn, kScrubFailed, "scrub failed mail", cutoff);
}

Result<long> SqliteOutboxStore::DeleteFinishedBefore(UnixTime cutoff) {
  auto conn = pool_.Acquire();
  return Run(*conn, kDeleteFinished, "delete finished mail", cutoff);
}

Result<mail::OutboxStats> SqliteOutboxStore::Stats() {
  auto conn = pool_.Acquire();
  auto row = ReadOne(*conn, kStats, "mail stats", [](const Query& q) {
    mail::OutboxStats s;
    s.queued = static_cast<long>(q.Int(0));
    s.sent = static_cast<long>(q.Int(1));
    s.failed = static_cast<long>(q.Int(2));
    if (!q.IsNull(3)) s.oldest_unsent = FromUnixSeconds(q.Int(3));
    return s;
  });
  if (!row) return row.error();
  return row->value_or(mail::OutboxStats{});
}

}  // namespace latchkey::store::sqlite
