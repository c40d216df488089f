#include "store/postgres/pool.h"

#include <algorithm>

#include "store/postgres/postgres_errors.h"

namespace latchkey::store::postgres {
namespace {

constexpr std::chrono::milliseconds kMinConnectBudget{1000};

}  // namespace

Pool::Pool(std::string conninfo, std::size_t size) : conninfo_(std::move(conninfo)) {
  if (size == 0) size = 1;
  free_.resize(size);  // every slot empty: connections open on first use
  size_ = size;
}

PoolUsage Pool::usage() {
  std::lock_guard lock(mu_);
  return {size_, size_ - free_.size(), waiting_};
}

Result<Pool::Lease> Pool::Acquire(std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Connection> conn;
  {
    std::unique_lock lock(mu_);
    ++waiting_;
    const bool got = cv_.wait_for(lock, timeout, [&] { return !free_.empty(); });
    --waiting_;
    if (!got) {
      LogOutage("acquire", "no pooled connection free within the timeout");
      return Unavailable();
    }
    conn = std::move(free_.back());
    free_.pop_back();
  }
  // Connecting happens outside the lock: other threads keep using the live connections.
  if (conn && !conn->CheckIdle()) conn.reset();
  if (!conn) {
    // What is left of `timeout` (at least kMinConnectBudget): waiting for a slot and then
    // connecting to a stalled server must not add up.
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    std::string error;
    conn = Connection::Connect(conninfo_, error, nullptr,
                               std::max(timeout - waited, kMinConnectBudget));
    if (!conn) {
      Release(nullptr);
      LogOutage("connect", error);
      return Unavailable();
    }
  }
  return Lease(this, std::move(conn));
}

void Pool::Release(std::unique_ptr<Connection> conn) {
  if (conn && !conn->Reusable()) conn.reset();
  {
    std::lock_guard lock(mu_);
    if (conn) {
      free_.push_back(std::move(conn));
    } else {
      free_.push_front(nullptr);
    }
  }
  cv_.notify_one();
}

}  // namespace latchkey::store::postgres
