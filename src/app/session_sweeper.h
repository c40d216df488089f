// Deletes, in the background, at start and then every `interval`: ended sessions (absolute
// or idle expiry passed), throttling counters that no longer hold anything back, and audit
// events older than the retention. A session that ended is already refused when presented;
// the sweep only keeps the tables from growing with rows nobody presents again.
// Thread-safety: owns one thread (a PeriodicWorker); the destructor stops and joins it.
#pragma once

#include <chrono>

#include "audit/event_store.h"
#include "base/clock.h"
#include "base/periodic_worker.h"
#include "session/session_store.h"
#include "throttle/throttle_store.h"

namespace latchkey::app {

class SessionSweeper {
 public:
  SessionSweeper(session::SessionStore& store, throttle::ThrottleStore& throttles,
                 audit::EventStore& events, const Clock& clock, std::chrono::seconds interval,
                 std::chrono::seconds event_retention);
  ~SessionSweeper() = default;  // stops the thread after the sweep under way, if any
  SessionSweeper(const SessionSweeper&) = delete;
  SessionSweeper& operator=(const SessionSweeper&) = delete;

 private:
  void Sweep();

  session::SessionStore& store_;
  throttle::ThrottleStore& throttles_;
  audit::EventStore& events_;
  const Clock& clock_;
  std::chrono::seconds event_retention_;
  PeriodicWorker worker_;  // last: stops before the members it uses go away
};

}  // namespace latchkey::app
