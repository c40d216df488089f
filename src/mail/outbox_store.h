// Store contract of the mail outbox (migration 7's mail_outbox): what the sender
// (courier/outbox_sender.h) and the operators' `latchkey mail` commands need. Rows are
// inserted by the use cases' own transactions (store/*/outgoing_mail_insert.h) or by Enqueue.
//
// Delivery is at least once: a sender claims due rows with a lease (claimed_by, claimed_until),
// sends each, then marks it. A sender that dies between the SMTP server's acceptance and the
// mark leaves a row that another claim sends again once the lease is over: the one duplicate
// SMTP itself allows (RFC 5321 6.1, docs/OPERATIONS.md "Mail"). A lease longer than a send
// (transport timeouts) keeps two live senders from sending one row twice.
//
// Many senders: on PostgreSQL the claim locks the rows it takes with FOR UPDATE SKIP LOCKED,
// so concurrent claims from many nodes take disjoint rows without waiting on one another. On
// SQLite every write holds the database's single write lock: the claim is one
// UPDATE ... RETURNING, so two claims can never take one row either; one process serves one
// SQLite database and runs one sender for it.
//
// Rows: `attempts` counts claims (a sender that crashes mid-send still uses one up, so a
// message that kills the sender cannot loop forever); a row is `queued` until `sent` (payload
// scrubbed, Message-ID kept) or `failed` (given up after the bound; its sealed payload kept
// for `latchkey mail retry` until ScrubFailedBefore). Blocking: call from a worker thread.
// Errors: kStorageUnavailable. Thread-safety: implementations are safe from many threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/errc.h"
#include "mail/outgoing_mail.h"

namespace latchkey::mail {

enum class MailState { kQueued, kSent, kFailed };
std::string_view MailStateName(MailState state);                 // "queued" | "sent" | "failed"
std::optional<MailState> ParseMailState(std::string_view name);  // nullopt: not a state

// A row leased to one sender: what it needs to render and send it.
struct ClaimedMail {
  std::int64_t id = 0;
  std::string kind;
  std::string recipient;
  std::optional<std::int64_t> user_id;
  std::string payload;  // sealed variables; empty when scrubbed (then it cannot be sent)
  int attempts = 0;     // claims so far, this one included
  UnixTime created_at;
};

// A row as operators see it (`latchkey mail list`): never the payload.
struct MailRecord {
  std::int64_t id = 0;
  std::string kind;
  std::string recipient;
  std::optional<std::int64_t> user_id;
  MailState state = MailState::kQueued;
  int attempts = 0;
  UnixTime created_at;
  UnixTime next_attempt_at;         // queued: due from then on; failed: when it was given up
  std::optional<UnixTime> sent_at;  // set when sent
  std::string message_id;           // the Message-ID sent ('' until sent)
  std::string last_error;           // the transport's last refusal ('' when none)
  bool has_payload = false;         // false once scrubbed
};

struct OutboxStats {
  long queued = 0;
  long sent = 0;
  long failed = 0;
  std::optional<UnixTime> oldest_unsent;  // created_at of the oldest queued row
};

enum class RetryOutcome { kRequeued, kNotFound, kAlreadySent, kNoContent };

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // Inserts `mail`, due at `now`, in a transaction of its own: the new id.
  virtual Result<std::int64_t> Enqueue(const OutgoingMail& mail, UnixTime now) = 0;

  // Leases up to `limit` queued rows due at `now` (next_attempt_at <= now) and not leased
  // (claimed_until <= now) to `claimer` until `lease_until`, oldest due first, counting one
  // attempt each.
  virtual Result<std::vector<ClaimedMail>> Claim(std::string_view claimer, UnixTime now,
                                                 UnixTime lease_until, int limit) = 0;

  // The row was accepted by the transport: sent at `at` with `message_id`, payload scrubbed,
  // lease released. False when the row is no longer queued (nothing written).
  virtual Result<bool> MarkSent(std::int64_t id, UnixTime at, std::string_view message_id) = 0;

  // The attempt failed and another will come: due again at `next_attempt_at`, `error` kept,
  // lease released. False when `claimer` no longer holds a queued row `id`.
  virtual Result<bool> Reschedule(std::int64_t id, std::string_view claimer,
                                  UnixTime next_attempt_at, std::string_view error) = 0;

  // No more attempts: failed at `at` with `error`. False when `claimer` no longer holds a
  // queued row `id`.
  virtual Result<bool> GiveUp(std::int64_t id, std::string_view claimer, UnixTime at,
                              std::string_view error) = 0;

  // Rows newest first, at most `limit`, of one state or all.
  virtual Result<std::vector<MailRecord>> List(std::optional<MailState> state, int limit) = 0;

  // Makes a queued or failed row that still has its payload due at `now` with a fresh set of
  // attempts. The outcome tells why not otherwise.
  virtual Result<RetryOutcome> Retry(std::int64_t id, UnixTime now) = 0;

  // Scrubs the payload of rows given up before `cutoff`: how many.
  virtual Result<long> ScrubFailedBefore(UnixTime cutoff) = 0;

  // Deletes the rows sent, or given up, before `cutoff` (the sweep, app/session_sweeper.h): how
  // many. A queued row is never deleted, whatever its age.
  virtual Result<long> DeleteFinishedBefore(UnixTime cutoff) = 0;

  // Counts per state and the age of the oldest unsent row (one aggregate query).
  virtual Result<OutboxStats> Stats() = 0;
};

}  // namespace latchkey::mail
