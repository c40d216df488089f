// The HTTP/1.1 server: listener, connection loop, and the executors handlers run on.
// The only translation unit that includes Beast (compile time; see CMakeLists.txt).
//
// Bounded resources, and why:
//   header block <= 8 KiB (431): no legitimate client needs more; bounds memory per connection.
//   body <= 16 KiB (413): auth bodies are tiny; bounds memory and JSON parse time.
//   read timeout 30 s per request (header + body), also the keep-alive idle timeout: slow
//     clients cannot hold connections forever.
// Handlers run on the pool their route names (http/router.h): kInline on the I/O thread,
// kStore on the blocking store pool, kHashing on the password-hashing pool; the connection
// resumes on its own strand to write. An exception escaping a handler is a bug: logged, 500,
// and the server goes on.
// SIGINT/SIGTERM: stop accepting, let in-flight requests finish and close idle keep-alive
// connections, then return from Run() (after at most shutdown_grace).
// Thread-safety: construct and Run() from one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "http/router.h"

namespace latchkey::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  int io_threads = 2;
  int store_threads = 4;
  int hashing_threads = 2;
  std::size_t header_limit = 8 * 1024;
  std::size_t body_limit = 16 * 1024;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds shutdown_grace{10};
};

class Server {
 public:
  // Binds and listens; throws std::runtime_error when the address cannot be bound.
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves until SIGINT or SIGTERM, then drains. Blocks the calling thread.
  void Run();

  // The bound port (useful with port 0).
  unsigned short port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace latchkey::http
