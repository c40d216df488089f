// The session change feed of SQLite: other processes on the same file (`latchkey user
// disable`, `latchkey session revoke`, ... while `latchkey serve` runs) record every session
// deletion and every change of a user in the table session_changes, by triggers, in the
// transaction of the write (migration 4). A ChangePoller thread in the server reads the rows
// it has not seen yet every `interval` (PRAGMA data_version first: an idle database costs
// no query) and hands them to a SessionChangeSink, as PostgreSQL's LISTEN/NOTIFY feed does.
// The server's own writes come back too (evicting twice is harmless).
//
// It also keeps this process's row in feed_nodes (store/feed_nodes.h): written before the
// feed first reports up (so a command never misses a serving node), after every poll that
// applied changes (applied_seq = the last seq handed to the sink), and at least every
// kFeedHeartbeat; each write that succeeds is confirmed to the sink (OnFeedConfirmed: the
// cache's lease). heartbeat_ms is this host's wall clock: every process on a SQLite file runs
// on one host (WAL needs shared memory). The row is deleted by the destructor; rows silent
// for kFeedNodePrune are pruned with session_changes.
//
// Missed rows (more than kMaxBatch at once, or rows pruned before they were read) drop the
// whole cache (OnFeedDown then OnFeedUp). A failing read switches the cache off (OnFeedDown)
// until a read succeeds again. Rows older than a minute are pruned once a minute.
// Thread-safety: Start once; the destructor stops and joins the thread (a PeriodicWorker).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/periodic_worker.h"
#include "store/database.h"
#include "store/feed_nodes.h"

namespace latchkey::store::sqlite {

class Connection;

class ChangePoller {
 public:
  // At most this many rows per poll; more means a flush of the whole cache.
  static constexpr int kMaxBatch = 10000;

  // path: the SQLite file (a connection of its own, outside the pool).
  ChangePoller(std::string path, std::chrono::milliseconds interval);
  ChangePoller(const ChangePoller&) = delete;
  ChangePoller& operator=(const ChangePoller&) = delete;
  // Stops the thread, then deletes this node's row.
  ~ChangePoller();

  // Attach, then a thread polling every interval.
  void Start(SessionChangeSink& sink);

  // Opens the poller's own connection and polls once (the feed is up, or known down, when it
  // returns), without a thread: tests then call PollOnce themselves. `sink` must outlive
  // this. Throws std::runtime_error when the file cannot be opened.
  void Attach(SessionChangeSink& sink);

  // One poll on the caller's thread (the thread calls it every interval). True when the
  // feed is up afterwards.
  bool PollOnce();

  // This process's row in feed_nodes.
  const FeedNodeIdentity& node() const { return node_; }

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // Reads and delivers the changes after last_seq_; true when the feed is up afterwards.
  bool ReadChanges(SteadyTime as_of, std::int64_t wall_ms);
  bool Position();  // last_seq_ = MAX(seq)
  // Writes this node's row (applied_seq = last_seq_) and confirms `as_of` to the sink; false
  // when the write failed (logged).
  bool Report(SteadyTime as_of, std::int64_t wall_ms);
  void Prune(std::int64_t wall_ms);

  std::string path_;
  std::chrono::milliseconds interval_;
  SessionChangeSink* sink_ = nullptr;
  std::unique_ptr<Connection> conn_;
  bool up_ = false;
  std::int64_t last_seq_ = 0;
  const FeedNodeIdentity node_ = ThisProcessNode();
  bool registered_ = false;         // the row was written (and so is deleted at the end)
  std::int64_t reported_seq_ = -1;  // applied_seq as last written
  SteadyTime reported_at_;          // as_of of the last write
  std::int64_t data_version_ = -1;
  std::chrono::steady_clock::time_point next_prune_;
  std::optional<PeriodicWorker> worker_;  // last: started by Start, stops first
};

}  // namespace latchkey::store::sqlite
