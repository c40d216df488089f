#include "app/session_sweeper.h"

#include <spdlog/spdlog.h>

#include "throttle/throttle.h"

namespace latchkey::app {

SessionSweeper::SessionSweeper(session::SessionStore& store, throttle::ThrottleStore& throttles,
                               audit::EventStore& events, MailStores mail, const Clock& clock,
                               std::chrono::seconds interval, std::chrono::seconds event_retention)
    : store_(store),
      throttles_(throttles),
      events_(events),
      mail_(mail),
      clock_(clock),
      event_retention_(event_retention),
      worker_(
          interval, [this] { Sweep(); }, PeriodicWorker::FirstRun::kAtStart) {}

void SessionSweeper::Sweep() {
  UnixTime now = clock_.Now();
  auto swept = store_.DeleteExpiredSessions(now);
  if (!swept) {
    spdlog::warn("session sweep failed: {}", MessageOf(swept.error()));
  } else if (*swept > 0) {
    spdlog::info("swept {} ended session(s)", *swept);
  }
  // A counter idle for the decay window (1 h) and not locking anything is back to zero.
  if (auto r = throttles_.DeleteThrottlesBefore(now - throttle::kThrottleWindow); !r) {
    spdlog::warn("throttle sweep failed: {}", MessageOf(r.error()));
  }
  if (auto r = events_.DeleteEventsBefore(now - event_retention_); !r) {
    spdlog::warn("audit event sweep failed: {}", MessageOf(r.error()));
  }
  if (auto r = mail_.tokens.DeleteSpentTokensBefore(now - kSpentTokenRetention); !r) {
    spdlog::warn("one-time token sweep failed: {}", MessageOf(r.error()));
  }
  if (auto r = mail_.outbox.DeleteFinishedBefore(now - kFinishedMailRetention); !r) {
    spdlog::warn("mail outbox sweep failed: {}", MessageOf(r.error()));
  }
}

}  // namespace latchkey::app
