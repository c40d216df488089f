// Deletes ended sessions (absolute or idle expiry passed) in the background: at start, then
// every `interval`. A session that ended is already refused when presented; the sweep only
// keeps the table from growing with sessions that are never presented again.
// Thread-safety: owns one thread; the destructor stops and joins it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "session/session_store.h"

namespace latchkey::app {

class SessionSweeper {
 public:
  SessionSweeper(session::SessionStore& store, const Clock& clock, std::chrono::seconds interval);
  ~SessionSweeper();
  SessionSweeper(const SessionSweeper&) = delete;
  SessionSweeper& operator=(const SessionSweeper&) = delete;

 private:
  void Loop();

  session::SessionStore& store_;
  const Clock& clock_;
  std::chrono::seconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace latchkey::app
