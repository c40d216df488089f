// The HTTP/1.1 server: listeners, connections, and the executors handlers run on. Its parts
// live in http/transport/, layered as Beast's example/http/server/awaitable: listener.h (accept
// loop), connection.h (the request loop), message.h (Beast <-> Request/Response), answer.h (the
// one writer of answers), side_listeners.h (redirect, metrics), worker_pools.h, io_threads.h;
// http/server.cpp composes them and owns run and shutdown. No Beast in this header (compile
// time; see CMakeLists.txt).
//
// Bounded resources, and why:
//   header block <= 8 KiB (431): no legitimate client needs more; bounds memory per connection.
//   body <= 16 KiB (413): auth bodies are tiny; bounds memory and JSON parse time.
//   header timeout 10 s (keep-alive idle time, TLS handshake and the header block together)
//     and body timeout 10 s, each its own deadline: a slowloris client that trickles bytes is
//     cut off, whatever its pace (slowloris; CWE-400).
//   write timeout 10 s per response: a client that stops reading is cut off too.
// TLS (tls_cert_file + tls_key_file): OpenSSL through boost::asio::ssl, TLS 1.2 and 1.3 only,
// strong AEAD suites in the server's order, no compression (ASVS 9.1.2, 9.1.3; CRIME).
// redirect_http: a second, plain-HTTP listener that answers every request with 308 to HTTPS
// (http/https_redirect.h) after reading the header block only.
// trusted_proxies: peers whose X-Forwarded-For / X-Forwarded-Proto are believed
// (http/trusted_proxies.h); request.tls is true over TLS or when such a proxy says https.
// Threads: io_threads I/O threads, each running its own io_context; accepted connections are
// dealt round robin, and a connection stays on its thread (no strands, no locks on its path).
// Each request goes to the Service (http/service.h: the request pipeline), which answers on
// the I/O thread or names the pool its work runs on: kStore, the blocking store pool, or
// kHashing, the password-hashing pool; the connection resumes on its I/O thread to write. An
// exception escaping the service or its work is a bug: logged, 500, and the server goes on.
// Connections: at most max_connections (http/connection_registry.h). accept() failing for
// lack of file descriptors pauses accepting for 100 ms instead of spinning on the backlog.
// SIGINT/SIGTERM: stop accepting, let in-flight requests finish and close idle keep-alive
// connections, then return from Run(). After shutdown_grace, work still queued on the pools
// is dropped, handlers already running finish and get 0.5 s to write their answers, and the
// remaining connections are cut.
// metrics_address: a third, plain-HTTP listener that answers GET /metrics (and 404 to anything
// else) after reading the header block only, then closes; the main listener has no /metrics.
// Every response of the main listener carries X-Request-Id (http/request_id.h), and each
// answered request is counted and logged (http/request_log.h).
// Thread-safety: construct and Run() from one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "http/proxy/upstreams.h"
#include "http/service.h"
#include "http/trusted_proxies.h"

namespace latchkey::metrics {
class Registry;
}

namespace latchkey::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  int io_threads = 2;
  int store_threads = 4;
  int hashing_threads = 2;
  std::size_t header_limit = 8 * 1024;
  std::size_t body_limit = 16 * 1024;
  std::chrono::seconds header_timeout{10};  // idle keep-alive + TLS handshake + header block
  std::chrono::seconds body_timeout{10};    // the body, once the header block is in
  std::chrono::seconds write_timeout{10};   // one response
  std::string tls_cert_file;                // PEM certificate chain; TLS when set (with the key)
  std::string tls_key_file;                 // PEM private key
  std::string redirect_address;             // plain-HTTP redirect listener; empty: none
  unsigned short redirect_port = 0;         // its port
  TrustedProxies trusted_proxies;           // peers believed about X-Forwarded-*
  std::chrono::seconds shutdown_grace{10};
  // Open client connections at most (http/connection_registry.h: at the cap the longest-idle
  // one is shed, or the new one gets 503). Lowered at startup, with a warning, when the open
  // file limit (raised to its hard limit) cannot hold it plus kReservedFiles.
  std::size_t max_connections = 10000;
  // Prometheus metrics (metrics/registry.h): requests and pool load are counted into
  // `metrics` (null: not counted); GET /metrics is served on metrics_address:metrics_port
  // only (empty address: no such listener), answered by metrics_handler on the store pool.
  metrics::Registry* metrics = nullptr;
  std::string metrics_address;
  unsigned short metrics_port = 0;
  Handler metrics_handler;
  // The reverse proxy (http/transport/forward.h): where Service::Forwards requests go, by
  // index; the largest body streamed there (413 beyond); connect and response deadlines.
  proxy::UpstreamTable upstreams;
  std::size_t max_upstream_body = 10 * 1024 * 1024;
  std::chrono::seconds upstream_connect_timeout{5};
  std::chrono::seconds upstream_timeout{30};  // response headers, then each read of the body
};

// File descriptors kept free of client connections: database connections, SQLite files, logs.
inline constexpr std::size_t kReservedFiles = 256;

class Server {
 public:
  // Binds and listens; throws std::runtime_error when the address cannot be bound.
  Server(ServerOptions options, Service& service);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves until SIGINT or SIGTERM, then drains. Blocks the calling thread.
  void Run();

  // The bound port (useful with port 0).
  unsigned short port() const;

  // The bound port of the metrics listener (0 when there is none).
  unsigned short metrics_port() const;

  // True when the main listener speaks TLS.
  bool tls() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace latchkey::http
