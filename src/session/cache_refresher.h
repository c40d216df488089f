// Re-reads cached sessions whose refresh is due, on a thread of its own, so that a session
// check never waits for that read (refresh ahead; see SessionCache::RefreshAfter). The
// session cache serves an entry at most its ttl after the store read; a session in use is
// re-read between ttl/2 and 3/4 ttl instead of missing at ttl, when the check would go to the
// store pool and wait for the database (perf, 100,000 sessions in use: every one of them
// missing within seconds of each other once a minute halved the session checks' rate).
//
// Requests come from session checks (at most one per cached entry and refresh period); the
// thread takes them every `interval` and calls `refresh` for each, one at a time. Memory: one
// token hash per pending request, at most one per cached session. Requests pending when the
// refresher is destroyed are dropped: their entries then expire at ttl as they would have.
// Thread-safety: Request and pending from any thread; owns one thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace latchkey::session {

class CacheRefresher {
 public:
  // refresh: re-reads one session (token hash) and re-caches or evicts it; called on the
  // refresher's thread (or RunPending's caller), never concurrently with itself.
  using Refresh = std::function<void(std::string_view token_hash)>;

  CacheRefresher(Refresh refresh, std::chrono::milliseconds interval);
  ~CacheRefresher();
  CacheRefresher(const CacheRefresher&) = delete;
  CacheRefresher& operator=(const CacheRefresher&) = delete;

  // Queues a refresh of this session. Never blocks on the database.
  void Request(std::string_view token_hash);

  // Refreshes everything pending now, on the caller's thread; returns how many.
  std::size_t RunPending();

  // Requests not run yet.
  std::size_t pending() const;

 private:
  void Loop();

  Refresh refresh_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mu_;
  std::vector<std::string> pending_;
  std::mutex run_mu_;  // one RunPending at a time (the loop's and a caller's)
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace latchkey::session
