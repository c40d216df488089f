// The listening side of the session change feed (see session_notify.h): one thread with its
// own connection (not from the pool) that LISTENs and hands every change to a
// SessionChangeSink, and keeps this node's row in feed_nodes (store/feed_nodes.h).
//
// Each connection's life: register the row (applied_seq = the newest mark, read BEFORE the
// LISTEN: every change before such a mark is covered by the drop of OnFeedUp), LISTEN,
// OnFeedConfirmed, OnFeedUp, then send a mark of its own (a mark committed between the
// registration and the LISTEN is never heard; this one is, and covers it). Then, per mark
// heard (in commit order, after the changes before it), applied_seq moves to it, and the row
// is rewritten (its heartbeat) at least every kFeedHeartbeat; after each write, and after
// delivering what arrived during it, OnFeedConfirmed (PostgreSQL sends the notifications of
// transactions committed before a command's end ahead of its ReadyForQuery).
//
// Sink calls, all from the feed's thread: OnFeedUp right after LISTEN succeeds (again after
// every reconnect), OnFeedDown as soon as the connection is lost (and when the feed stops
// while up), OnSessionChanged/OnUserChanged per notification. A server that stalls (stopped
// process, stuck storage: the connection stays up) is noticed by the heartbeat write, which
// must answer within 3 s: OnFeedDown within ~4 s of the stall, and the cache's lease
// (kFeedLease) ends serving within 3 s of the last good heartbeat. Every round trip, LISTEN
// included, has that 3 s deadline. Reconnects every ~500 ms while the database is unreachable
// (failures logged at most once a second). Changes committed by this process's own pool
// connections are delivered too: evicting twice is harmless.
//
// Thread-safety: constructed and destroyed by one thread; the destructor stops the thread
// within ~200 ms (the row stays: PostgresDatabase::StopWatchingSessionChanges deletes it).
// The thread is a PeriodicWorker whose run is one connection's life (connect, register,
// LISTEN, deliver until lost), repeated ~500 ms after each loss.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "base/periodic_worker.h"
#include "store/database.h"
#include "store/feed_nodes.h"
#include "store/postgres/connection.h"

namespace latchkey::store::postgres {

// Deletes `node`'s row (a clean stop). Errors: kStorageUnavailable.
Result<void> UnregisterFeedNode(Connection& conn, const FeedNodeIdentity& node);

class SessionFeed {
 public:
  // Starts the thread. `sink` must outlive the feed.
  SessionFeed(std::string conninfo, FeedNodeIdentity node, SessionChangeSink& sink);
  SessionFeed(const SessionFeed&) = delete;
  SessionFeed& operator=(const SessionFeed&) = delete;
  ~SessionFeed() = default;

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // Connects, registers, LISTENs and delivers until the connection is lost or the feed stops.
  void RunConnection();
  // Delivers notifications and writes the heartbeat until the connection is lost, a
  // heartbeat fails or the feed stops; returns why it stopped (for the log). `applied`: the
  // registered applied_seq; `registered_at`: when the registration began.
  std::string Pump(Connection& conn, std::int64_t applied, SteadyTime registered_at);
  // Hands every notification libpq has read to the sink; raises `mark` to the marks among
  // them.
  void DeliverQueued(Connection& conn, std::int64_t& mark);
  void Deliver(const char* payload, std::int64_t& mark);

  const std::string conninfo_;
  const FeedNodeIdentity node_;
  SessionChangeSink& sink_;
  PeriodicWorker worker_;  // last: starts after every other member is ready
};

}  // namespace latchkey::store::postgres
