#include "http/transport/upstream_pool.h"

#include <sys/socket.h>

#include <boost/asio/ip/basic_resolver.hpp>
#include <cerrno>
#include <tuple>

#include "http/transport/context.h"
#include "metrics/registry.h"

namespace latchkey::http::transport {
namespace {

using Resolver = asio::ip::basic_resolver<tcp, Executor>;

const void* ThreadOf(const Executor& executor) { return &executor.context(); }

// False when the upstream closed an idle connection (or sent bytes nobody asked for): a
// non-blocking peek, so that a request is not written into a connection that is gone (most
// servers close idle keep-alive connections after 5-75 s; Node's default is 5 s).
bool StillOpen(TcpStream& stream) {
  char byte;
  ssize_t n = ::recv(stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

UpstreamPool::UpstreamPool(proxy::Upstream upstream, std::chrono::seconds connect_timeout)
    : upstream_(std::move(upstream)), connect_timeout_(connect_timeout) {}

Task<std::unique_ptr<UpstreamConnection>> UpstreamPool::Acquire(Executor executor,
                                                                Failure& failure) {
  failure = Failure::kNone;
  auto now = std::chrono::steady_clock::now();
  for (;;) {
    // Taken under the lock, checked (a syscall) outside it: both I/O threads lock mu_ twice a
    // request, and a peek under it made them wait on each other (futex: 1.5 a request).
    std::unique_ptr<UpstreamConnection> c = TakeIdle(ThreadOf(executor));
    if (!c) break;
    if (now - c->idle_since < kIdleTimeout && c->stream.socket().is_open() &&
        StillOpen(c->stream)) {
      c->reused = true;
      stats_.reused.fetch_add(1, std::memory_order_relaxed);
      stats_.busy.fetch_add(1, std::memory_order_relaxed);
      co_return c;
    }
  }
  auto c = std::make_unique<UpstreamConnection>(executor);
  Resolver resolver(executor);
  auto resolved = co_await resolver.async_resolve(upstream_.host, upstream_.port, kTuple);
  if (std::get<0>(resolved)) {
    failure = Failure::kConnect;
    stats_.connect_errors.fetch_add(1, std::memory_order_relaxed);
    co_return nullptr;
  }
  c->stream.expires_after(connect_timeout_);
  auto connected = co_await c->stream.async_connect(std::get<1>(resolved), kTuple);
  beast::error_code ec = std::get<0>(connected);
  if (ec) {
    bool timeout = ec == beast::error::timeout;
    failure = timeout ? Failure::kTimeout : Failure::kConnect;
    (timeout ? stats_.timeouts : stats_.connect_errors).fetch_add(1, std::memory_order_relaxed);
    co_return nullptr;
  }
  c->stream.socket().set_option(tcp::no_delay(true), ec);
  stats_.opened.fetch_add(1, std::memory_order_relaxed);
  stats_.busy.fetch_add(1, std::memory_order_relaxed);
  co_return c;
}

std::unique_ptr<UpstreamConnection> UpstreamPool::TakeIdle(const void* thread) {
  std::lock_guard lock(mu_);
  auto& list = idle_[thread];
  if (list.empty()) return nullptr;
  std::unique_ptr<UpstreamConnection> c = std::move(list.back());
  list.pop_back();
  stats_.idle.fetch_sub(1, std::memory_order_relaxed);
  return c;
}

void UpstreamPool::Release(std::unique_ptr<UpstreamConnection> c) {
  stats_.busy.fetch_sub(1, std::memory_order_relaxed);
  c->idle_since = std::chrono::steady_clock::now();
  c->stream.expires_never();
  std::vector<std::unique_ptr<UpstreamConnection>> closing;  // closed after the lock is let go
  {
    std::lock_guard lock(mu_);
    auto& list = idle_[ThreadOf(c->stream.get_executor())];
    // Close the expired ones on this thread's list while we are here.
    for (auto it = list.begin(); it != list.end();) {
      if (c->idle_since - (*it)->idle_since >= kIdleTimeout) {
        closing.push_back(std::move(*it));
        it = list.erase(it);
        stats_.idle.fetch_sub(1, std::memory_order_relaxed);
      } else {
        ++it;
      }
    }
    if (list.size() >= kMaxIdlePerThread) {
      closing.push_back(std::move(c));
    } else {
      list.push_back(std::move(c));
      stats_.idle.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

void UpstreamPool::Discard(std::unique_ptr<UpstreamConnection> c) {
  if (c) stats_.busy.fetch_sub(1, std::memory_order_relaxed);
}

std::shared_ptr<UpstreamPools> MakeUpstreamPools(const ServerOptions& options) {
  if (options.upstreams.empty()) return nullptr;
  auto pools = std::make_shared<UpstreamPools>(options.upstreams, options.upstream_connect_timeout);
  if (options.metrics) {
    // A weak reference: the registry outlives the server, and the pools' idle sockets must go
    // with the server, before its io_contexts (ASan: heap-use-after-free in socket close).
    options.metrics->AddRenderer([weak = std::weak_ptr<UpstreamPools>(pools)](std::string& out) {
      if (auto live = weak.lock()) live->Render(out);
    });
  }
  return pools;
}

UpstreamPools::UpstreamPools(const proxy::UpstreamTable& table,
                             std::chrono::seconds connect_timeout) {
  for (const proxy::Upstream& up : table.upstreams()) {
    pools_.push_back(std::make_unique<UpstreamPool>(up, connect_timeout));
  }
}

void UpstreamPools::Render(std::string& out) const {
  if (pools_.empty()) return;
  auto load = [](const auto& a) { return std::to_string(a.load(std::memory_order_relaxed)); };
  auto label = [](const UpstreamPool& p) {
    return "upstream=\"" + metrics::EscapeLabelValue(p.upstream().prefix) + "\"";
  };
  out += "# HELP latchkey_upstream_responses_total Upstream responses by status class.\n";
  out += "# TYPE latchkey_upstream_responses_total counter\n";
  for (const auto& p : pools_) {
    for (std::size_t i = 0; i < 5; ++i) {
      out += "latchkey_upstream_responses_total{" + label(*p) + ",class=\"" +
             std::to_string(i + 1) + "xx\"} " + load(p->stats().responses[i]) + "\n";
    }
  }
  out +=
      "# HELP latchkey_upstream_errors_total Requests the upstream did not answer, by kind "
      "(connect: 502, timeout: 504, broken: 502).\n";
  out += "# TYPE latchkey_upstream_errors_total counter\n";
  for (const auto& p : pools_) {
    UpstreamStats& s = p->stats();
    out += "latchkey_upstream_errors_total{" + label(*p) + ",kind=\"connect\"} " +
           load(s.connect_errors) + "\n";
    out += "latchkey_upstream_errors_total{" + label(*p) + ",kind=\"timeout\"} " +
           load(s.timeouts) + "\n";
    out += "latchkey_upstream_errors_total{" + label(*p) + ",kind=\"broken\"} " + load(s.broken) +
           "\n";
  }
  out += "# HELP latchkey_upstream_connections_opened_total Connections opened to the upstream.\n";
  out += "# TYPE latchkey_upstream_connections_opened_total counter\n";
  for (const auto& p : pools_) {
    out += "latchkey_upstream_connections_opened_total{" + label(*p) + "} " +
           load(p->stats().opened) + "\n";
  }
  out +=
      "# HELP latchkey_upstream_connections_reused_total Requests sent on a kept-alive "
      "connection.\n";
  out += "# TYPE latchkey_upstream_connections_reused_total counter\n";
  for (const auto& p : pools_) {
    out += "latchkey_upstream_connections_reused_total{" + label(*p) + "} " +
           load(p->stats().reused) + "\n";
  }
  out += "# HELP latchkey_upstream_pool_connections Connections to the upstream by state.\n";
  out += "# TYPE latchkey_upstream_pool_connections gauge\n";
  for (const auto& p : pools_) {
    out += "latchkey_upstream_pool_connections{" + label(*p) + ",state=\"idle\"} " +
           load(p->stats().idle) + "\n";
    out += "latchkey_upstream_pool_connections{" + label(*p) + ",state=\"busy\"} " +
           load(p->stats().busy) + "\n";
  }
}

}  // namespace latchkey::http::transport
