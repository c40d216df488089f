// The session change feed of SQLite: other processes on the same file (`latchkey user
// disable`, `latchkey session revoke`, ... while `latchkey serve` runs) record every session
// deletion and every change of a user in the table session_changes, by triggers, in the
// transaction of the write (migration 4). A ChangePoller thread in the server reads the rows
// it has not seen yet every `interval` (PRAGMA data_version first: an idle database costs
// no query) and hands them to a SessionChangeSink, as PostgreSQL's LISTEN/NOTIFY feed does.
// The server's own writes come back too (evicting twice is harmless).
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

 private:
  bool Position();  // last_seq_ = MAX(seq); OnFeedUp
  void Prune();

  std::string path_;
  std::chrono::milliseconds interval_;
  SessionChangeSink* sink_ = nullptr;
  std::unique_ptr<Connection> conn_;
  bool up_ = false;
  std::int64_t last_seq_ = 0;
  std::int64_t data_version_ = -1;
  std::chrono::steady_clock::time_point next_prune_;
  std::optional<PeriodicWorker> worker_;  // last: started by Start, stops first
};

}  // namespace latchkey::store::sqlite
