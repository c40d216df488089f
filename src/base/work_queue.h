// A background thread that runs posted jobs one after another, in order, for work a request
// must not wait for (flows/recovery_service.h: the account lookup and the mail of a recovery
// request run after the answer, so its timing says nothing about the account; OWASP Forgot
// Password Cheat Sheet, "consistent time ... asynchronous").
//
// Contract:
// - Post() queues a job and returns at once; it refuses (false) when `capacity` jobs are
//   already waiting, so a flood cannot grow memory: the caller then runs the job itself.
// - Jobs run on the queue's own thread only, never concurrently with each other. A job that
//   throws is a bug: the exception is logged and the queue goes on.
// - Drain() waits until every job posted before it has run (tests, orderly shutdown).
// - The destructor refuses new jobs, runs those still queued, and joins the thread. Jobs and
//   what they reference must outlive the queue: declare it as the last member of its owner.
//
// Thread-safety: Post and Drain from any thread, never from a job (Drain would wait on itself).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace latchkey {

class WorkQueue {
 public:
  explicit WorkQueue(std::size_t capacity);  // starts the thread; capacity >= 1
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `job`; false (and `job` not taken) when `capacity` jobs wait or the queue stops.
  bool Post(std::function<void()> job);

  // Returns once the queue is empty and no job runs.
  void Drain();

 private:
  void Loop();

  const std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable wake_;            // a job was posted, or stopping_
  std::condition_variable idle_;            // the queue emptied and the last job returned
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  bool running_ = false;                    // guarded by mu_: a job is under way
  bool stopping_ = false;                   // guarded by mu_
  std::thread thread_;                      // last: starts once every other member is ready
};

}  // namespace latchkey
