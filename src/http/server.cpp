#include "http/server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include "http/connection_registry.h"
#include "http/tls_context.h"
#include "http/transport/context.h"
#include "http/transport/executor.h"
#include "http/transport/io_threads.h"
#include "http/transport/listener.h"
#include "http/transport/worker_pools.h"
#include "metrics/registry.h"

namespace latchkey::http {

using namespace transport;  // NOLINT(google-build-using-namespace): the server's own parts

namespace {

// After the shutdown grace: how long the answers of handlers that were still running get to
// be written before the remaining connections are cut.
constexpr std::chrono::milliseconds kAnswerWindow{500};

}  // namespace

// The server's parts, in the order they are built; every connection reads them through
// `context` (http/transport/context.h).
struct Server::Impl {
  Impl(ServerOptions opts, Service& s)
      : options(std::move(opts)),
        service(s),
        router(s.router()),
        io(options.io_threads),
        acceptor(io.first().get_executor()),
        redirect_acceptor(io.first().get_executor()),
        metrics_acceptor(io.first().get_executor()),
        pools(static_cast<std::size_t>(options.store_threads),
              static_cast<std::size_t>(options.hashing_threads), options.metrics),
        registry(FitToFileLimit(options.max_connections)),
        context{options, service, router, registry, pools, io, stopping, nullptr, 0} {
    upstreams = MakeUpstreamPools(options);
    context.upstreams = upstreams.get();
    if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
      tls.emplace(MakeTlsContext(options.tls_cert_file, options.tls_key_file));
      context.tls = &*tls;
    }
    Listen(acceptor, options.address, options.port);
    context.https_port = port();
    if (!options.redirect_address.empty()) {
      if (!tls) throw std::runtime_error("the HTTP redirect listener needs TLS");
      Listen(redirect_acceptor, options.redirect_address, options.redirect_port);
    }
    if (!options.metrics_address.empty()) {
      Listen(metrics_acceptor, options.metrics_address, options.metrics_port);
    }
    if (options.metrics) AddConnectionMetrics(*options.metrics);
  }

  void AddConnectionMetrics(metrics::Registry& m) {
    m.AddGauge("latchkey_open_connections", "Open client connections (all listeners).",
               [this] { return static_cast<double>(registry.size()); });
    m.AddGauge("latchkey_max_connections", "The connection cap (--max-connections, as fitted).",
               [this] { return static_cast<double>(registry.max_connections()); });
    m.AddGauge(
        "latchkey_connections_shed_total", "Idle connections closed at the connection cap.",
        [this] { return static_cast<double>(registry.shed_count()); }, "counter");
    m.AddGauge(
        "latchkey_connections_refused_total", "Connections refused (503) at the connection cap.",
        [this] { return static_cast<double>(registry.refused_count()); }, "counter");
  }

  unsigned short port() const { return acceptor.local_endpoint().port(); }

  unsigned short metrics_port() const {
    boost::system::error_code ec;
    return metrics_acceptor.is_open() ? metrics_acceptor.local_endpoint(ec).port() : 0;
  }

  // Stop accepting; close connections that wait for a next request; busy ones close after
  // writing their response (keep_alive is off once stopping is set).
  void BeginShutdown() {
    stopping = true;
    boost::system::error_code ec;
    acceptor.close(ec);
    redirect_acceptor.close(ec);
    metrics_acceptor.close(ec);
    registry.CloseIdle();
  }

  // Bounded drain, on its own thread: whatever is still open after the grace period is cut.
  void Drain() {
    if (!registry.WaitUntilEmpty(options.shutdown_grace)) {
      spdlog::warn("shutdown grace period over: closing remaining connections");
    }
    // Work still queued on the pools belongs to connections being cut: drop it (no write
    // for a request that will never be answered). Handlers already running finish, and
    // their answers get kAnswerWindow to be written: a write they committed is answered.
    pools.Stop();
    pools.Join();
    registry.WaitUntilEmpty(kAnswerWindow);
    io.Stop();
  }

  ServerOptions options;
  Service& service;
  const Router& router;
  IoThreads io;
  std::optional<asio::ssl::context> tls;  // set when the main listener speaks TLS
  Acceptor acceptor;
  Acceptor redirect_acceptor;  // open only with redirect_address
  Acceptor metrics_acceptor;   // open only with metrics_address
  WorkerPools pools;
  std::atomic<bool> stopping{false};
  ConnectionRegistry registry;
  std::shared_ptr<UpstreamPools> upstreams;  // the reverse proxy's; null without upstreams
  Context context;
};

Server::Server(ServerOptions options, Service& service)
    : impl_(std::make_unique<Impl>(std::move(options), service)) {}

Server::~Server() { impl_->pools.Join(); }

unsigned short Server::port() const { return impl_->port(); }

unsigned short Server::metrics_port() const { return impl_->metrics_port(); }

bool Server::tls() const { return impl_->tls.has_value(); }

void Server::Run() {
  Impl& s = *impl_;
  asio::io_context& main = s.io.first();
  asio::signal_set signals(main, SIGINT, SIGTERM);
  std::thread watchdog;
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("signal {} received: draining connections", signo);
    s.BeginShutdown();
    watchdog = std::thread([&s] { s.Drain(); });
  });
  asio::co_spawn(main, Accept(s.acceptor, s.tls ? Listener::kHttps : Listener::kHttp, s.context),
                 asio::detached);
  if (s.redirect_acceptor.is_open()) {
    asio::co_spawn(main, Accept(s.redirect_acceptor, Listener::kRedirect, s.context),
                   asio::detached);
  }
  if (s.metrics_acceptor.is_open()) {
    asio::co_spawn(main, Accept(s.metrics_acceptor, Listener::kMetrics, s.context), asio::detached);
  }
  s.io.Run();
  if (watchdog.joinable()) watchdog.join();
  s.pools.Join();
  spdlog::info("server stopped");
}

}  // namespace latchkey::http
