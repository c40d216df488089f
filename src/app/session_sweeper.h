// Deletes, in the background, at start and then every `interval`: ended sessions (absolute
// or idle expiry passed), throttling counters that no longer hold anything back, audit
// events older than the retention, one-time tokens consumed or expired kSpentTokenRetention
// ago, and outbox rows sent or given up kFinishedMailRetention ago (docs/OPERATIONS.md). A session
// that ended is already refused when presented; the sweep only keeps the tables from growing with
// rows nobody presents again. Thread-safety: owns one thread (a PeriodicWorker); the destructor
// stops and joins it.
#pragma once

#include <chrono>

#include "audit/event_store.h"
#include "base/clock.h"
#include "base/periodic_worker.h"
#include "mail/outbox_store.h"
#include "onetime/token_store.h"
#include "session/session_store.h"
#include "throttle/throttle_store.h"

namespace latchkey::app {

// A spent token is kept a week (what a support question about a link needs; a usable token,
// an undo link's 72 h included, is never deleted). A finished mail is kept 30 days, for
// `latchkey mail list` (its sealed payload is scrubbed long before: sent at once, given up
// after courier::OutboxSenderOptions::failed_retention).
inline constexpr std::chrono::seconds kSpentTokenRetention{7 * 86400};
inline constexpr std::chrono::seconds kFinishedMailRetention{30 * 86400};

class SessionSweeper {
 public:
  // The one-time tokens and the mail outbox, beside the sessions (database.h's stores).
  struct MailStores {
    onetime::TokenStore& tokens;
    mail::OutboxStore& outbox;
  };

  SessionSweeper(session::SessionStore& store, throttle::ThrottleStore& throttles,
                 audit::EventStore& events, MailStores mail, const Clock& clock,
                 std::chrono::seconds interval, std::chrono::seconds event_retention);
  ~SessionSweeper() = default;  // stops the thread after the sweep under way, if any
  SessionSweeper(const SessionSweeper&) = delete;
  SessionSweeper& operator=(const SessionSweeper&) = delete;

 private:
  void Sweep();

  session::SessionStore& store_;
  throttle::ThrottleStore& throttles_;
  audit::EventStore& events_;
  MailStores mail_;
  const Clock& clock_;
  std::chrono::seconds event_retention_;
  PeriodicWorker worker_;  // last: stops before the members it uses go away
};

}  // namespace latchkey::app
