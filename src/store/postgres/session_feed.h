// The listening side of the session change feed (see session_notify.h): one thread with its
// own connection (not from the pool) that LISTENs and hands every change to a
// SessionChangeSink.
//
// Sink calls, all from the feed's thread: OnFeedUp right after LISTEN succeeds (again after
// every reconnect), OnFeedDown as soon as the connection is lost (and when the feed stops
// while up), OnSessionChanged/OnUserChanged per notification. A server that stalls (stopped
// process, stuck storage: the connection stays up) is noticed by a heartbeat query every 2 s
// that must answer within 3 s: OnFeedDown within ~5 s of the stall. Every round trip, LISTEN
// included, has that 3 s deadline. Reconnects every ~500 ms while the database is unreachable
// (failures logged at most once a second). Changes committed by this process's own pool
// connections are delivered too: evicting twice is harmless.
//
// Thread-safety: constructed and destroyed by one thread; the destructor stops the thread
// within ~200 ms. The thread is a PeriodicWorker whose run is one connection's life (connect,
// LISTEN, deliver until lost), repeated ~500 ms after each loss.
#pragma once

#include <string>

#include "base/periodic_worker.h"
#include "store/database.h"
#include "store/postgres/connection.h"

namespace latchkey::store::postgres {

class SessionFeed {
 public:
  // Starts the thread. `sink` must outlive the feed.
  SessionFeed(std::string conninfo, SessionChangeSink& sink);
  SessionFeed(const SessionFeed&) = delete;
  SessionFeed& operator=(const SessionFeed&) = delete;
  ~SessionFeed() = default;

 private:
  // Connects, LISTENs and delivers until the connection is lost or the feed stops.
  void RunConnection();
  // Delivers notifications until the connection is lost, a heartbeat fails or the feed stops;
  // returns why it stopped (for the log).
  std::string Pump(Connection& conn);
  void Deliver(const char* payload);

  const std::string conninfo_;
  SessionChangeSink& sink_;
  PeriodicWorker worker_;  // last: starts after every other member is ready
};

}  // namespace latchkey::store::postgres
