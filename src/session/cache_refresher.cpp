#include "session/cache_refresher.h"

#include <utility>

namespace latchkey::session {

CacheRefresher::CacheRefresher(Refresh refresh, std::chrono::milliseconds interval)
    : refresh_(std::move(refresh)), interval_(interval), thread_([this] { Loop(); }) {}

CacheRefresher::~CacheRefresher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void CacheRefresher::Request(std::string_view token_hash) {
  std::lock_guard lock(mu_);
  pending_.emplace_back(token_hash);
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
    if (done % 64 == 0) {  // a long batch does not hold up the destructor
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    refresh_(token_hash);
    ++done;
  }
  return done;
}

void CacheRefresher::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    RunPending();
    lock.lock();
  }
}

}  // namespace latchkey::session
