// A background thread that runs one callback every `interval`, for the server's periodic
// chores (touch batches, cache refreshes, sweeps, change feeds).
//
// Contract:
// - The callback runs on the worker's own thread only, so never concurrently with itself. The
//   interval counts from the end of one run to the start of the next (a slow run delays the
//   next one; runs never pile up).
// - The first run comes after one interval (FirstRun::kAfterInterval) or as soon as the thread
//   starts (FirstRun::kAtStart).
// - Wake() makes the next run start now instead of at the end of the interval; a Wake() during
//   a run causes one more run right after it.
// - Stop() (and the destructor) ends the wait at once, lets a run under way finish, and joins
//   the thread: no run starts after Stop() has begun, and none is under way once it returns.
//   A long callback should check stopping() between steps to let Stop() return promptly.
//
// Thread-safety: Wake, Stop, stopping and cancel_flag from any thread, Stop more than once
// (later calls wait for the first to finish), but never from the callback itself (Stop would
// join its own thread). The callback and whatever it reads must outlive the worker: declare
// the worker as the last member of its owner, so that it stops before the rest is destroyed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace latchkey {

class PeriodicWorker {
 public:
  enum class FirstRun { kAfterInterval, kAtStart };

  // Starts the thread.
  PeriodicWorker(std::chrono::milliseconds interval, std::function<void()> callback,
                 FirstRun first = FirstRun::kAfterInterval);
  ~PeriodicWorker();  // Stop()
  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;

  // Runs the callback as soon as the thread is free, instead of at the end of the interval.
  // Does not wait for that run.
  void Wake();

  // Stops waiting, waits for a run under way to return, and joins the thread.
  void Stop();

  // True once Stop() has begun: a long callback returns early when it sees this.
  bool stopping() const { return stopping_.load(); }

  // The flag behind stopping(), for blocking calls that take a cancel flag; valid as long as
  // the worker.
  const std::atomic<bool>* cancel_flag() const { return &stopping_; }

 private:
  void Loop(FirstRun first);

  const std::chrono::milliseconds interval_;
  const std::function<void()> callback_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool woken_ = false;                 // guarded by mu_
  std::atomic<bool> stopping_{false};  // written under mu_ (for wake_), read anywhere
  std::mutex join_mu_;                 // one joiner at a time
  std::thread thread_;                 // last: starts once every other member is ready
};

}  // namespace latchkey
