#include "http/server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_set>
#include <vector>

namespace latchkey::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::awaitable;
using asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

Method ToMethod(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::put:
      return Method::kPut;
    case bhttp::verb::patch:
      return Method::kPatch;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

Request Translate(bhttp::request<bhttp::string_body>&& in, const std::string& client_ip) {
  Request r;
  r.method = ToMethod(in.method());
  std::string_view target = in.target();
  r.path = std::string(target.substr(0, target.find('?')));
  for (const auto& field : in) {
    switch (field.name()) {
      case bhttp::field::cookie:
        if (!r.cookie.empty()) r.cookie += "; ";
        r.cookie += field.value();
        break;
      case bhttp::field::content_type:
        r.content_type = field.value();
        break;
      case bhttp::field::user_agent:
        r.user_agent = field.value();
        break;
      case bhttp::field::if_none_match:
        r.if_none_match = field.value();
        break;
      default:
        if (beast::iequals(field.name_string(), "x-csrf-token")) r.csrf_token = field.value();
        break;
    }
  }
  r.body = std::move(in.body());
  r.client_ip = client_ip;
  return r;
}

// Fills `out` in place (not returned by value: GCC 12 miscompiles some by-value temporaries
// that live across co_await in coroutine frames).
void ToBeast(Response&& in, unsigned version, bool keep_alive, bool head,
             bhttp::response<bhttp::string_body>& out) {
  out.version(version);
  out.result(static_cast<unsigned>(in.status));
  if (!in.content_type.empty()) out.set(bhttp::field::content_type, in.content_type);
  for (auto& [name, value] : in.headers) out.insert(name, value);
  out.keep_alive(keep_alive);
  out.content_length(in.body.size());
  if (!head) out.body() = std::move(in.body);
}

Response SimpleError(int status, std::string_view message) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::string(R"({"error":")") + std::string(message) + "\"}";
  return r;
}

Response CallHandler(const Handler& handler, const Request& request) {
  try {
    return handler(request);
  } catch (const std::exception& e) {
    spdlog::error("handler for {} threw: {}", request.path, e.what());
  } catch (...) {
    spdlog::error("handler for {} threw an unknown exception", request.path);
  }
  return SimpleError(500, "Internal server error");
}

}  // namespace

struct Server::Impl {
  // One live connection, as seen by the shutdown logic.
  struct Connection {
    beast::tcp_stream* stream;
    bool busy = false;    // touched only on the connection's strand
    bool closed = false;  // set on the strand before the stream is destroyed
  };

  Impl(ServerOptions opts, const Router& r)
      : options(std::move(opts)),
        router(r),
        ioc(options.io_threads),
        acceptor(ioc),
        store_pool(static_cast<std::size_t>(options.store_threads)),
        hashing_pool(static_cast<std::size_t>(options.hashing_threads)) {
    beast::error_code ec;
    auto address = asio::ip::make_address(options.address, ec);
    if (ec) throw std::runtime_error("invalid listen address " + options.address);
    tcp::endpoint endpoint(address, options.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      throw std::runtime_error("cannot listen on " + options.address + ":" +
                               std::to_string(options.port) + ": " + ec.message());
    }
  }

  awaitable<void> Accept() {
    for (;;) {
      auto accepted = co_await acceptor.async_accept(asio::make_strand(ioc), kTuple);
      beast::error_code ec = std::get<0>(accepted);
      tcp::socket socket = std::move(std::get<1>(accepted));
      if (ec) {
        if (stopping || !acceptor.is_open()) co_return;
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto executor = socket.get_executor();
      asio::co_spawn(executor, Serve(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  awaitable<Response> Run(const Handler& handler, Pool pool, const Request& request) {
    if (pool == Pool::kInline) co_return CallHandler(handler, request);
    auto& target = pool == Pool::kHashing ? hashing_pool : store_pool;
    co_return co_await asio::co_spawn(
        target.get_executor(),
        [&]() -> awaitable<Response> { co_return CallHandler(handler, request); },
        asio::use_awaitable);
  }

  awaitable<void> Serve(beast::tcp_stream stream) {
    auto conn = std::make_shared<Connection>(Connection{&stream});
    Register(conn);
    beast::error_code ec;
    std::string client_ip = stream.socket().remote_endpoint(ec).address().to_string();
    beast::flat_buffer buffer;
    try {
      co_await Loop(stream, buffer, *conn, client_ip);
    } catch (const std::exception& e) {
      spdlog::error("connection from {} failed: {}", client_ip, e.what());
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.close();
    conn->closed = true;
    Unregister(conn);
  }

  awaitable<void> Loop(beast::tcp_stream& stream, beast::flat_buffer& buffer, Connection& conn,
                       const std::string& client_ip) {
    while (!stopping) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      parser.body_limit(options.body_limit);
      stream.expires_after(options.read_timeout);
      auto read_result = co_await bhttp::async_read(stream, buffer, parser, kTuple);
      beast::error_code ec = std::get<0>(read_result);
      if (ec) {
        std::optional<Response> answer;
        if (ec == bhttp::error::body_limit) {
          answer = SimpleError(413, "Request body too large");
        } else if (ec == bhttp::error::header_limit) {
          answer = SimpleError(431, "Request header fields too large");
        } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                   ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
          answer = SimpleError(400, "Malformed HTTP request");
        }
        if (answer) {
          Router::ApplyCommonHeaders(Request{}, *answer);
          stream.expires_after(options.read_timeout);
          bhttp::response<bhttp::string_body> msg;
          ToBeast(std::move(*answer), 11, false, false, msg);
          co_await bhttp::async_write(stream, msg, kTuple);
        }
        co_return;  // timeout, EOF, reset or an answered protocol error: close
      }
      conn.busy = true;
      auto message = parser.release();
      unsigned version = message.version();
      bool keep_alive = message.keep_alive();
      Request request = Translate(std::move(message), client_ip);
      auto started = std::chrono::steady_clock::now();

      Dispatch dispatch = router.Resolve(request);
      request.path_params = std::move(dispatch.params);
      Response response;
      if (dispatch.immediate) {
        response = std::move(*dispatch.immediate);
      } else {
        response = co_await Run(*dispatch.handler, dispatch.pool, request);
      }
      Router::ApplyCommonHeaders(request, response);
      int status = response.status;
      keep_alive = keep_alive && !stopping;
      bhttp::response<bhttp::string_body> out;
      ToBeast(std::move(response), version, keep_alive, request.method == Method::kHead, out);
      stream.expires_after(options.read_timeout);
      auto write_result = co_await bhttp::async_write(stream, out, kTuple);
      beast::error_code wec = std::get<0>(write_result);
      conn.busy = false;
      spdlog::debug("{} {} {} {}us", static_cast<int>(request.method), request.path, status,
                    std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count());
      if (wec || !keep_alive) co_return;
    }
  }

  void Register(const std::shared_ptr<Connection>& conn) {
    std::lock_guard lock(mu);
    connections.insert(conn);
  }

  void Unregister(const std::shared_ptr<Connection>& conn) {
    std::lock_guard lock(mu);
    connections.erase(conn);
    if (connections.empty()) drained.notify_all();
  }

  // Stop accepting; close connections that wait for a next request; busy ones close after
  // writing their response (keep_alive is off once stopping is set).
  void BeginShutdown() {
    stopping = true;
    beast::error_code ec;
    acceptor.close(ec);
    std::lock_guard lock(mu);
    for (const auto& conn : connections) {
      asio::post(conn->stream->get_executor(), [conn] {
        if (!conn->closed && !conn->busy) conn->stream->socket().cancel();
      });
    }
  }

  ServerOptions options;
  const Router& router;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  asio::thread_pool store_pool;
  asio::thread_pool hashing_pool;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable drained;
  std::unordered_set<std::shared_ptr<Connection>> connections;
};

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() {
  impl_->store_pool.join();
  impl_->hashing_pool.join();
}

unsigned short Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::Run() {
  Impl& s = *impl_;
  asio::signal_set signals(s.ioc, SIGINT, SIGTERM);
  std::thread watchdog;
  signals.async_wait([&](const beast::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("signal {} received: draining connections", signo);
    s.BeginShutdown();
    // Bounded drain: whatever is still open after the grace period is cut.
    watchdog = std::thread([&s] {
      std::unique_lock lock(s.mu);
      if (!s.drained.wait_for(lock, s.options.shutdown_grace,
                              [&s] { return s.connections.empty(); })) {
        spdlog::warn("shutdown grace period over: closing remaining connections");
      }
      lock.unlock();
      s.ioc.stop();
    });
  });
  asio::co_spawn(s.ioc, s.Accept(), asio::detached);

  std::vector<std::thread> threads;
  for (int i = 1; i < s.options.io_threads; ++i) threads.emplace_back([&s] { s.ioc.run(); });
  s.ioc.run();
  for (auto& t : threads) t.join();
  if (watchdog.joinable()) watchdog.join();
  s.store_pool.join();
  s.hashing_pool.join();
  spdlog::info("server stopped");
}

}  // namespace latchkey::http
