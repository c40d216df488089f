// The client side of the reverse proxy: one pool of keep-alive connections per upstream
// (issue 17 section 1), and the counters its metrics show.
//
// Connections are kept per I/O thread (one io_context each, http/transport/executor.h): a
// connection is only ever used by coroutines of the thread whose reactor owns its socket, so
// no strand or cross-thread hop is needed. Bounded resources, and why:
//   idle connections per thread and upstream <= kMaxIdlePerThread: the upstream's own
//     connection limit is the scarce one, and a burst should not pin them all;
//   an idle connection older than kIdleTimeout (60 s) is closed, not reused (checked when the
//     thread next takes or returns one of that upstream's connections, not by a timer: an
//     unused pool keeps its idle connections, at most kMaxIdlePerThread per thread, until
//     then); one the upstream closed meanwhile is seen by a non-blocking peek before reuse and
//     dropped; when the close races the reuse, a request without a body is retried once on a
//     new connection (forward.cpp);
//   connect: --upstream-connect-timeout (the name lookup and the TCP handshake).
// Thread-safety: Acquire and Release from any I/O thread (a mutex guards the idle lists, held
// for a vector push/pop only: the peek and any close happen after it is let go); the stats
// are relaxed atomics.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>

#include "http/proxy/upstreams.h"
#include "http/transport/streams.h"

namespace latchkey::http::transport {

struct UpstreamConnection {
  explicit UpstreamConnection(Executor executor) : stream(executor) {}
  TcpStream stream;
  beast::flat_buffer buffer;  // bytes read from the upstream
  std::chrono::steady_clock::time_point idle_since{};
  bool reused = false;  // taken from the idle list (it may have been closed by the upstream)
};

// What the metrics show of one upstream (latchkey_upstream_*).
struct UpstreamStats {
  std::array<std::atomic<std::uint64_t>, 5> responses{};  // by status class: 1xx .. 5xx
  std::atomic<std::uint64_t> connect_errors{0};  // refused, unreachable, name not found: 502
  std::atomic<std::uint64_t> timeouts{0};        // connect or response headers too slow: 504
  std::atomic<std::uint64_t> broken{0};          // failed after connecting (reset, bad HTTP): 502
  std::atomic<std::uint64_t> opened{0};          // connections opened
  std::atomic<std::uint64_t> reused{0};          // requests sent on a kept-alive connection
  std::atomic<std::int64_t> idle{0};             // connections idle in the pool now
  std::atomic<std::int64_t> busy{0};             // connections carrying a request now
};

class UpstreamPool {
 public:
  static constexpr std::chrono::seconds kIdleTimeout{60};
  static constexpr std::size_t kMaxIdlePerThread = 32;

  enum class Failure { kNone, kConnect, kTimeout };

  UpstreamPool(proxy::Upstream upstream, std::chrono::seconds connect_timeout);

  // A connection on `executor`'s thread: an idle one younger than kIdleTimeout, else a new one;
  // null with `failure` set when connecting failed or timed out.
  Task<std::unique_ptr<UpstreamConnection>> Acquire(Executor executor, Failure& failure);

  // Gives back a connection whose last response was read whole and that may be kept alive.
  void Release(std::unique_ptr<UpstreamConnection> connection);
  // A connection that must not be reused (closed on destruction).
  void Discard(std::unique_ptr<UpstreamConnection> connection);

  const proxy::Upstream& upstream() const { return upstream_; }
  UpstreamStats& stats() { return stats_; }

 private:
  // The most recently idled connection of `thread`'s list, or null; under mu_ only.
  std::unique_ptr<UpstreamConnection> TakeIdle(const void* thread);

  const proxy::Upstream upstream_;
  const std::chrono::seconds connect_timeout_;
  UpstreamStats stats_;
  std::mutex mu_;
  // Idle connections by the io_context that owns them.
  std::unordered_map<const void*, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
};

// The pools of every upstream, in UpstreamTable order, and their metrics.
class UpstreamPools {
 public:
  UpstreamPools(const proxy::UpstreamTable& table, std::chrono::seconds connect_timeout);
  UpstreamPool& at(std::size_t index) { return *pools_.at(index); }
  std::size_t size() const { return pools_.size(); }
  // The latchkey_upstream_* metrics in the Prometheus text format, appended to `out`.
  void Render(std::string& out) const;

 private:
  std::vector<std::unique_ptr<UpstreamPool>> pools_;
};

}  // namespace latchkey::http::transport
