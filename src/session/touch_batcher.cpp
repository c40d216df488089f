#include "session/touch_batcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

namespace latchkey::session {

TouchBatcher::TouchBatcher(SessionStore& store, std::chrono::milliseconds interval)
    : store_(store), worker_(interval, [this] { FlushAndLog(); }) {}

TouchBatcher::~TouchBatcher() {
  worker_.Stop();
  if (auto r = Flush(); !r) {
    spdlog::warn("{} session touch(es) not written at exit: {}", pending(), r.error().message);
  }
}

void TouchBatcher::Record(const TokenHash& token_hash, UnixSeconds at) {
  std::lock_guard lock(mu_);
  Merge(token_hash, at);
}

void TouchBatcher::Merge(TokenHash token_hash, UnixSeconds at) {
  auto [it, inserted] = pending_.try_emplace(std::move(token_hash), at);
  if (!inserted) it->second = std::max(it->second, at);
}

std::size_t TouchBatcher::pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

std::optional<UnixSeconds> TouchBatcher::Pending(const TokenHash& token_hash) const {
  std::lock_guard lock(mu_);
  auto it = pending_.find(token_hash);
  if (it == pending_.end()) return std::nullopt;
  return it->second;
}

Result<std::size_t> TouchBatcher::Flush() {
  std::lock_guard flushing(flush_mu_);
  std::unordered_map<TokenHash, UnixSeconds> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  if (batch.empty()) return std::size_t{0};
  std::vector<SessionStore::Touch> touches;
  touches.reserve(batch.size());
  for (const auto& [token_hash, at] : batch) touches.push_back({token_hash, at});
  if (auto r = store_.TouchSessions(touches); !r) {
    std::lock_guard lock(mu_);  // keep them for the next round, merged with newer uses
    for (auto& [token_hash, at] : batch) Merge(token_hash, at);
    return r.error();
  }
  return touches.size();
}

void TouchBatcher::FlushAndLog() {
  if (auto r = Flush(); !r) spdlog::warn("session touch batch failed: {}", r.error().message);
}

}  // namespace latchkey::session
