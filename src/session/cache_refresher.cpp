#include "session/cache_refresher.h"

#include <utility>

namespace latchkey::session {

CacheRefresher::CacheRefresher(Refresh refresh, std::chrono::milliseconds interval,
                               std::size_t max_pending)
    : refresh_(std::move(refresh)),
      max_pending_(max_pending),
      worker_(interval, [this] { RunPending(); }) {}

bool CacheRefresher::Request(const TokenHash& token_hash) {
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
  std::vector<TokenHash> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  std::size_t done = 0;
  for (const TokenHash& token_hash : batch) {
    if (worker_.stopping()) break;  // a backlog does not hold up the destructor
    refresh_(token_hash);
    ++done;
  }
  return done;
}

}  // namespace latchkey::session
