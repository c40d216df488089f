// The courier: a background worker that delivers the mail outbox (mail/outbox_store.h). Each
// pass claims due rows with a lease, opens each payload with the Sealer, renders its templates
// (courier/mail_templates.h), builds the MIME message (courier/mime_message.h), hands it to the
// transport and marks the row: sent (payload scrubbed, Message-ID kept); or due again after an
// exponential backoff with jitter (courier/backoff.h); or, after the bound or a permanent
// refusal, given up, with the audit event `mail_given_up` and a count for /metrics.
//
// Delivery is at least once: a crash between the transport's acceptance and the mark sends the
// message again once the lease is over (docs/OPERATIONS.md, "Mail"). The lease (5 min) is far
// longer than a send (the SMTP timeout, 60 s), so two live senders never send one row twice.
// Many nodes may run a sender each on one PostgreSQL database (claims skip each other's rows).
//
// Logs: the kind, the outbox id, the recipient's domain and the transport's error; never the
// recipient's local part, a variable, a link or a token.
// Thread-safety: RunOnce from one thread at a time (the worker's, or a test's); the counters
// from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/periodic_worker.h"
#include "courier/backoff.h"
#include "courier/mail_templates.h"
#include "courier/mime_message.h"
#include "courier/transport.h"
#include "crypto/sealer.h"
#include "mail/outbox_store.h"

namespace latchkey::courier {

struct SenderOptions {
  Mailbox from;                                      // --mail-from
  std::string public_url;                            // {{public_url}} of every template
  std::string node_id;                               // the claimer's name (host:pid:random)
  BackoffPolicy backoff;                             // --mail-max-attempts, --mail-retry-*
  std::chrono::seconds lease{300};                   // longer than any one send
  int batch = 20;                                    // rows claimed per pass
  std::chrono::milliseconds interval{1000};          // between passes (polling the outbox)
  std::chrono::seconds failed_retention{7 * 86400};  // sealed payload of given-up rows kept
};

// This node's counts since start (the /metrics counters).
struct SenderCounters {
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> retries{0};   // attempts that failed and were rescheduled
  std::atomic<std::uint64_t> given_up{0};  // rows given up
};

class OutboxSender {
 public:
  OutboxSender(mail::OutboxStore& outbox, const crypto::Sealer& sealer,
               const MailTemplates& templates, Transport& transport, audit::AuditLog& audit,
               const Clock& clock, SenderOptions options);
  ~OutboxSender();  // Stop()
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  // One pass: claims up to a batch and handles each row; how many rows it handled.
  int RunOnce();
  // Starts the worker (a pass every interval, the first at once); Stop() ends it.
  void Start();
  void Stop();

  const SenderCounters& counters() const { return counters_; }

 private:
  void Handle(const mail::ClaimedMail& row, UnixTime now);
  void Fail(const mail::ClaimedMail& row, const SendFailure& failure, UnixTime now);

  mail::OutboxStore& outbox_;
  const crypto::Sealer& sealer_;
  const MailTemplates& templates_;
  Transport& transport_;
  audit::AuditLog& audit_;
  const Clock& clock_;
  const SenderOptions options_;
  SenderCounters counters_;
  UnixTime last_scrub_{};
  std::unique_ptr<PeriodicWorker> worker_;  // last: stops before what it uses goes
};

}  // namespace latchkey::courier
