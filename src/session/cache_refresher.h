// Re-reads cached sessions whose refresh is due, on a thread of its own, so that a session
// check never waits for that read (refresh ahead; see SessionCache::RefreshAfter). The
// session cache serves an entry at most its ttl after the store read; a session in use is
// re-read between ttl/2 and 3/4 ttl instead of missing at ttl, when the check would go to the
// store pool and wait for the database (perf, 100,000 sessions in use: every one of them
// missing within seconds of each other once a minute halved the session checks' rate).
//
// Requests come from session checks (at most one per cached entry and refresh period); the
// thread takes them every `interval` and calls `refresh` for each, one at a time. Memory: at
// most `max_pending` token hashes (the cache's capacity); a request beyond that is dropped,
// and its entry then expires at ttl and is read again by the check that misses, as without a
// refresher. So are requests pending when the refresher is destroyed: it stops between two
// refreshes, never in the middle of a batch's backlog.
// Thread-safety: Request and pending from any thread; owns one thread (a PeriodicWorker).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

#include "base/periodic_worker.h"
#include "session/session.h"

namespace latchkey::session {

class CacheRefresher {
 public:
  // refresh: re-reads one session (token hash) and re-caches or evicts it; called on the
  // refresher's thread (or RunPending's caller), never concurrently with itself.
  using Refresh = std::function<void(const TokenHash& token_hash)>;

  CacheRefresher(Refresh refresh, std::chrono::milliseconds interval, std::size_t max_pending);
  ~CacheRefresher() = default;  // stops the thread between two refreshes
  CacheRefresher(const CacheRefresher&) = delete;
  CacheRefresher& operator=(const CacheRefresher&) = delete;

  // Queues a refresh of this session, unless max_pending are queued. Never blocks on the
  // database. Returns whether it was queued.
  bool Request(const TokenHash& token_hash);

  // Refreshes everything pending now, on the caller's thread; returns how many.
  std::size_t RunPending();

  // Requests not run yet.
  std::size_t pending() const;

 private:
  Refresh refresh_;
  std::size_t max_pending_;
  mutable std::mutex mu_;
  std::vector<TokenHash> pending_;
  std::mutex run_mu_;      // one RunPending at a time (the worker's and a caller's)
  PeriodicWorker worker_;  // last: stops before the members it uses go away
};

}  // namespace latchkey::session
