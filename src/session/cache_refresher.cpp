#include "session/cache_refresher.h"

#include <utility>

namespace latchkey::session {

CacheRefresher::CacheRefresher(Refresh refresh, std::chrono::milliseconds interval,
                               std::size_t max_pending)
    : refresh_(std::move(refresh)),
      interval_(interval),
      max_pending_(max_pending),
      thread_([this] { Loop(); }) {}

CacheRefresher::~CacheRefresher() {
  {
    std::lock_guard lock(mu_);
    stopping_.store(true);
  }
  wake_.notify_all();
  thread_.join();
}

bool CacheRefresher::Request(std::string_view token_hash) {
  std::lock_guard lock(mu_);
  if (pending_.size() >= max_pending_) return false;
  pending_.emplace_back(token_hash);
  return true;
}

std::size_t CacheRefresher::pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

std::size_t CacheRefresher::RunPending() {
  std::lock_guard running(run_mu_);
  std::vector<std::string> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  std::size_t done = 0;
  for (const std::string& token_hash : batch) {
    if (stopping_.load()) break;  // a backlog does not hold up the destructor
    refresh_(token_hash);
    ++done;
  }
  return done;
}

void CacheRefresher::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_.load()) {
    wake_.wait_for(lock, interval_, [this] { return stopping_.load(); });
    if (stopping_.load()) break;
    lock.unlock();
    RunPending();
    lock.lock();
  }
}

}  // namespace latchkey::session
