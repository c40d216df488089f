// A fixed number of PostgreSQL connections, opened on demand and reopened after a failure.
//
// Acquire waits at most 5 s for a free slot (kStorageUnavailable after that: a request must
// not queue forever behind a stalled database). A slot without a live connection connects
// on Acquire, within what is left of the 5 s (at least 1 s; at most connect_timeout, 3 s
// by default): a whole Acquire takes at most ~6 s (~7 s if the server stalls right after the
// handshake). When connecting fails Acquire returns kStorageUnavailable at once, and the next
// Acquire tries again, so the server recovers by itself when the database comes back. A
// connection is dropped on release when it is broken (lost, terminated) or was left inside a
// transaction; a pooled connection the server closed while idle is noticed on Acquire and
// replaced. A new connection starts with an empty prepared-statement cache.
//
// Thread-safety: Acquire is safe from many threads; a Lease is owned by one thread and must
// not outlive the pool.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "base/errc.h"
#include "store/pool_usage.h"
#include "store/postgres/connection.h"

namespace latchkey::store::postgres {

inline constexpr std::chrono::milliseconds kAcquireTimeout{5000};

class Pool {
 public:
  // `conninfo`: a libpq URL or key=value string (may hold a password: never logged).
  // `size`: at most this many connections at once (at least 1). Connects nothing yet.
  Pool(std::string conninfo, std::size_t size);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Exclusive use of one connection; goes back to the pool when destroyed.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_) pool_->Release(std::move(conn_));
    }
    Connection* operator->() { return conn_.get(); }
    Connection& operator*() { return *conn_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // A live connection. Errors: kStorageUnavailable when none is free within `timeout` or
  // connecting fails or runs out of time (see above; logged, at most once a second; the
  // message never holds the password).
  Result<Lease> Acquire(std::chrono::milliseconds timeout = kAcquireTimeout);

  // Slots in all, leased now, and threads waiting for one (metrics).
  PoolUsage usage();

 private:
  void Release(std::unique_ptr<Connection> conn);

  const std::string conninfo_;
  std::mutex mu_;
  std::condition_variable cv_;
  // Free slots: live connections at the back (taken first), empty slots (nullptr) in front.
  std::deque<std::unique_ptr<Connection>> free_;
  std::size_t size_ = 0;
  std::size_t waiting_ = 0;
};

}  // namespace latchkey::store::postgres
