#include "base/periodic_worker.h"

#include <utility>

namespace latchkey {

PeriodicWorker::PeriodicWorker(std::chrono::milliseconds interval, std::function<void()> callback,
                               FirstRun first)
    : interval_(interval),
      callback_(std::move(callback)),
      thread_([this, first] { Loop(first); }) {}

PeriodicWorker::~PeriodicWorker() { Stop(); }

void PeriodicWorker::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  wake_.notify_all();
}

void PeriodicWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_.store(true);
  }
  wake_.notify_all();
  std::lock_guard joining(join_mu_);
  if (thread_.joinable()) thread_.join();
}

void PeriodicWorker::Loop(FirstRun first) {
  std::unique_lock lock(mu_);
  bool due = first == FirstRun::kAtStart;
  for (;;) {
    if (!due) wake_.wait_for(lock, interval_, [this] { return stopping_.load() || woken_; });
    if (stopping_.load()) return;
    woken_ = false;
    lock.unlock();
    callback_();
    lock.lock();
    due = false;
  }
}

}  // namespace latchkey
