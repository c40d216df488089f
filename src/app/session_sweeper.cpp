#include "app/session_sweeper.h"

#include <spdlog/spdlog.h>

namespace latchkey::app {

SessionSweeper::SessionSweeper(session::SessionStore& store, const Clock& clock,
                               std::chrono::seconds interval)
    : store_(store), clock_(clock), interval_(interval), thread_([this] { Loop(); }) {}

SessionSweeper::~SessionSweeper() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void SessionSweeper::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto swept = store_.DeleteExpiredSessions(clock_.Now());
    if (!swept) {
      spdlog::warn("session sweep failed: {}", swept.error().message);
    } else if (*swept > 0) {
      spdlog::info("swept {} ended session(s)", *swept);
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace latchkey::app
