// The server's live connections: the cap on their number (--max-connections), shedding at the
// cap, and the drain at shutdown. No Beast here: a connection is seen through Entry.
//
// At the cap, a new connection is admitted by shedding the connection that has waited longest
// for its next request (an idle keep-alive connection, or a client trickling its header block:
// slowloris, or a request body; also one that has just connected and not yet sent its
// request, which only loses at extreme connection churn); a connection whose request has been read
// and is being handled or answered is never cut off: chosen, it closes after that response. When
// every connection is busy, the new one is refused (the caller answers 503 and closes). So a flood
// of idle or slow connections cannot lock out real clients, and the number of sockets stays
// bounded: at most max_connections plus the shed ones still closing (OWASP Denial of Service Cheat
// Sheet; CWE-400).
//
// Thread-safety: every member is safe from any thread. Entry::busy and idle_since are written
// by the connection's own I/O thread and read by the accepting thread (relaxed atomics: the
// choice of a victim is a heuristic; close_if_idle re-checks busy on the connection's thread,
// and the connection's loop checks shedding before waiting for another request).
// Choosing a victim scans every connection under one lock: O(max_connections), only at the
// cap.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_set>

namespace latchkey::http {

class ConnectionRegistry {
 public:
  using Clock = std::chrono::steady_clock;

  struct Entry {
    // Closes the connection if it is still waiting for a request; posted to the connection's
    // own thread by the caller's implementation. Called at most once per shedding decision.
    std::function<void()> close_if_idle;
    std::atomic<bool> busy{false};  // a request is being handled or answered
    std::atomic<Clock::rep> idle_since{Clock::now().time_since_epoch().count()};
    std::atomic<bool> shedding{false};  // chosen to make room; closing

    void MarkBusy() { busy.store(true, std::memory_order_relaxed); }
    void MarkIdle() {
      idle_since.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
      busy.store(false, std::memory_order_relaxed);
    }
  };

  enum class Admission {
    kAdmitted,  // under the cap
    kShed,      // at the cap: the longest-idle connection was asked to close
    kRefused,   // at the cap and every connection busy: not registered
  };

  // max_connections: at least 1.
  explicit ConnectionRegistry(std::size_t max_connections);

  // Registers entry, shedding or refusing at the cap (see above).
  Admission Admit(const std::shared_ptr<Entry>& entry);

  // Unregisters entry (its connection closed); wakes WaitUntilEmpty when the last one goes.
  void Remove(const std::shared_ptr<Entry>& entry);

  // Shutdown: asks every idle connection to close (busy ones close after their response).
  void CloseIdle();

  // Blocks until no connection is registered or timeout passes; true when empty.
  bool WaitUntilEmpty(Clock::duration timeout);

  std::size_t size() const;
  std::size_t max_connections() const { return max_; }
  // Connections shed and refused since start (for logs and tests).
  std::size_t shed_count() const { return shed_.load(std::memory_order_relaxed); }
  std::size_t refused_count() const { return refused_.load(std::memory_order_relaxed); }

 private:
  const std::size_t max_;
  mutable std::mutex mu_;
  std::condition_variable empty_;
  std::unordered_set<std::shared_ptr<Entry>> entries_;
  std::size_t shedding_ = 0;  // entries_ marked shedding (guarded by mu_)
  std::atomic<std::size_t> shed_{0};
  std::atomic<std::size_t> refused_{0};
};

}  // namespace latchkey::http
