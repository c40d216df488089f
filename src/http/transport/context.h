// What every connection of a server reads: the server's options and the parts it owns
// (http/server.cpp's Server::Impl, which outlives every connection and accept loop).
// No Beast, and no I/O of its own.
// Thread-safety: the references are set once, before Run(); the parts say their own rules
// (the registry and `stopping` are safe from any thread, `io` from the accept loops, the pools
// from any I/O thread); options, service, router and tls are read-only while serving.
#pragma once

#include <atomic>
#include <memory>

#include "http/connection_registry.h"
#include "http/router.h"
#include "http/server.h"
#include "http/service.h"

namespace boost::asio::ssl {
class context;
}

namespace latchkey::http::transport {

class IoThreads;
class UpstreamPools;
class WorkerPools;

// The pools of options.upstreams, their metrics added to options.metrics (upstream_pool.h);
// null when there is no upstream. Declared here so that server.cpp needs no Beast header.
std::shared_ptr<UpstreamPools> MakeUpstreamPools(const ServerOptions& options);

struct Context {
  const ServerOptions& options;
  Service& service;      // the request pipeline
  const Router& router;  // service.router(): the labels of metrics and request logs
  ConnectionRegistry& registry;
  WorkerPools& pools;
  IoThreads& io;
  const std::atomic<bool>& stopping;         // set by shutdown: no new requests, keep-alive off
  boost::asio::ssl::context* tls = nullptr;  // set when the main listener speaks TLS
  unsigned short https_port = 0;       // the main listener's bound port: the redirects' target
  UpstreamPools* upstreams = nullptr;  // the reverse proxy's pools (options.upstreams)
};

}  // namespace latchkey::http::transport
