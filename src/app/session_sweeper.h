// Deletes, in the background, at start and then every `interval`: ended sessions (absolute
// or idle expiry passed), throttling counters that no longer hold anything back, and audit
// events older than the retention. A session that ended is already refused when presented;
// the sweep only keeps the tables from growing with rows nobody presents again.
// Thread-safety: owns one thread; the destructor stops and joins it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "audit/event_store.h"
#include "base/clock.h"
#include "session/session_store.h"
#include "throttle/throttle_store.h"

namespace latchkey::app {

class SessionSweeper {
 public:
  SessionSweeper(session::SessionStore& store, throttle::ThrottleStore& throttles,
                 audit::EventStore& events, const Clock& clock, std::chrono::seconds interval,
                 std::chrono::seconds event_retention);
  ~SessionSweeper();
  SessionSweeper(const SessionSweeper&) = delete;
  SessionSweeper& operator=(const SessionSweeper&) = delete;

 private:
  void Loop();

  session::SessionStore& store_;
  throttle::ThrottleStore& throttles_;
  audit::EventStore& events_;
  const Clock& clock_;
  std::chrono::seconds interval_;
  std::chrono::seconds event_retention_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace latchkey::app
