#include "http/connection_registry.h"

#include <algorithm>

namespace latchkey::http {

ConnectionRegistry::ConnectionRegistry(std::size_t max_connections)
    : max_(std::max<std::size_t>(1, max_connections)) {}

ConnectionRegistry::Admission ConnectionRegistry::Admit(const std::shared_ptr<Entry>& entry) {
  std::shared_ptr<Entry> victim;
  {
    std::lock_guard lock(mu_);
    if (entries_.size() - shedding_ < max_) {
      entries_.insert(entry);
      return Admission::kAdmitted;
    }
    // At the cap: the connection idle the longest. A linear scan, only at the cap.
    Clock::rep oldest = 0;
    for (const auto& e : entries_) {
      if (e->shedding.load(std::memory_order_relaxed) || e->busy.load(std::memory_order_relaxed))
        continue;
      Clock::rep since = e->idle_since.load(std::memory_order_relaxed);
      if (!victim || since < oldest) {
        victim = e;
        oldest = since;
      }
    }
    if (!victim) {
      refused_.fetch_add(1, std::memory_order_relaxed);
      return Admission::kRefused;
    }
    victim->shedding.store(true, std::memory_order_relaxed);
    ++shedding_;
    entries_.insert(entry);
  }
  shed_.fetch_add(1, std::memory_order_relaxed);
  if (victim->close_if_idle) victim->close_if_idle();
  return Admission::kShed;
}

void ConnectionRegistry::Remove(const std::shared_ptr<Entry>& entry) {
  std::lock_guard lock(mu_);
  if (entries_.erase(entry) == 0) return;
  if (entry->shedding.load(std::memory_order_relaxed)) --shedding_;
  if (entries_.empty()) empty_.notify_all();
}

void ConnectionRegistry::CloseIdle() {
  std::lock_guard lock(mu_);
  for (const auto& e : entries_) {
    if (e->close_if_idle) e->close_if_idle();
  }
}

bool ConnectionRegistry::WaitUntilEmpty(Clock::duration timeout) {
  std::unique_lock lock(mu_);
  return empty_.wait_for(lock, timeout, [this] { return entries_.empty(); });
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace latchkey::http
