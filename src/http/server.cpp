#include "http/server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

#include "http/connection_registry.h"
#include "http/error_mapping.h"
#include "http/https_redirect.h"
#include "http/request_id.h"
#include "http/request_log.h"
#include "http/tls_context.h"
#include "metrics/registry.h"

namespace latchkey::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;

// One io_context per I/O thread, each run by exactly one thread: a connection lives on one
// context for its whole life, so its handlers never run concurrently and need no strand, and
// the executor type is concrete (no any_io_executor type erasure on every operation).
using Executor = asio::io_context::executor_type;
template <class T>
using Task = asio::awaitable<T, Executor>;
using Acceptor = asio::basic_socket_acceptor<tcp, Executor>;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using TcpStream = beast::basic_stream<tcp, Executor>;
using TlsStream = beast::ssl_stream<TcpStream>;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable_t<Executor>{});

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

void AppendListValue(std::string& list, std::string_view value) {
  if (!list.empty()) list += ", ";
  list += value;
}

// Copies what handlers need out of Beast's message. Host and Origin mean something only when
// sent once: repeated, they become unusable and the checks that read them fail closed.
// X-Forwarded-* are believed only from a trusted proxy (http/trusted_proxies.h).
// The connection's peer as the proxy rule sees it, worked out once per connection.
struct Peer {
  std::string address;            // remote_endpoint() as text
  TrustedProxies::Client direct;  // Resolve() without forwarding headers
  bool trusted = false;           // a trusted proxy: forwarding headers are read per request
};

Request Translate(bhttp::request<bhttp::string_body>&& in, const Peer& peer, bool tls,
                  const TrustedProxies& proxies) {
  Request r;
  r.method = ToMethod(in.method());
  std::string_view target = in.target();
  r.path = std::string(target.substr(0, target.find('?')));
  int hosts = 0;
  int origins = 0;
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
      case bhttp::field::host:
        r.host = field.value();
        ++hosts;
        break;
      case bhttp::field::origin:
        r.origin = std::string(field.value());
        ++origins;
        break;
      case bhttp::field::sec_fetch_site:
        r.sec_fetch_site = field.value();
        break;
      default:
        if (beast::iequals(field.name_string(), "x-csrf-token")) {
          r.csrf_token = field.value();
        } else if (beast::iequals(field.name_string(), "x-forwarded-for")) {
          AppendListValue(r.x_forwarded_for, field.value());
        } else if (beast::iequals(field.name_string(), "x-forwarded-proto")) {
          AppendListValue(r.x_forwarded_proto, field.value());
        } else if (beast::iequals(field.name_string(), "x-request-id")) {
          r.request_id = field.value();
        }
        break;
    }
  }
  if (hosts > 1) r.host.clear();
  if (origins > 1) r.origin = std::string();  // present but not an origin: refused
  if (!IsAcceptableRequestId(r.request_id)) r.request_id = NewRequestId();
  r.body = std::move(in.body());
  if (peer.trusted) {
    TrustedProxies::Client client =
        proxies.Resolve(peer.address, r.x_forwarded_for, r.x_forwarded_proto);
    r.client_ip = std::move(client.ip);
    r.tls = tls || client.https;
  } else {
    r.client_ip = peer.direct.ip;
    r.tls = tls;
  }
  return r;
}

// Fills `out` in place (not returned by value: GCC 12 miscompiles some by-value temporaries
// that live across co_await in coroutine frames).
// `common`: Router::CommonHeaders of the request and `in`, inserted without copies of ours.
void ToBeast(Response&& in, const StaticHeaders& common, unsigned version, bool keep_alive,
             bool head, bhttp::response<bhttp::string_body>& out) {
  out.version(version);
  out.result(static_cast<unsigned>(in.status));
  if (!in.content_type.empty()) out.set(bhttp::field::content_type, in.content_type);
  for (auto& [name, value] : in.headers) out.insert(name, value);
  for (const StaticHeader& h : common) out.insert(h.name, h.value);
  out.keep_alive(keep_alive);
  out.content_length(in.body.size());
  if (!head) out.body() = std::move(in.body);
}

// Errors of the transport itself, through the one error table (http/error_mapping.h).
Response SimpleError(Errc code) { return ErrorResponse(MakeError(code)); }

Response CallHandler(const std::function<Response()>& work, const Request& request) {
  try {
    return work();
  } catch (const std::exception& e) {
    spdlog::error("handler for {} threw: {}", request.path, e.what());
  } catch (...) {
    spdlog::error("handler for {} threw an unknown exception", request.path);
  }
  return SimpleError(Errc::kInternal);
}

// Password hashing is slow on purpose and CPU-bound; session checks must not wait behind it.
// Hashing threads run at the lowest CPU priority (nice 19), so the kernel preempts them the
// moment an I/O or store thread has work; alone on the machine they still get every cycle.
void LowerHashingThreadPriority() {
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19) != 0) {
    spdlog::warn("cannot lower the hashing thread's priority");
  }
}

Dispatch CallBegin(Service& service, Request& request) {
  try {
    return service.Begin(request);
  } catch (const std::exception& e) {
    spdlog::error("request pipeline for {} threw: {}", request.path, e.what());
  } catch (...) {
    spdlog::error("request pipeline for {} threw an unknown exception", request.path);
  }
  Dispatch failed;
  failed.response = SimpleError(Errc::kInternal);
  return failed;
}

// Opens, binds and listens; throws std::runtime_error naming the address.
void Listen(Acceptor& acceptor, const std::string& address, unsigned short port) {
  beast::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("invalid listen address " + address);
  tcp::endpoint endpoint(ip, port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) + ": " +
                             ec.message());
  }
}

// What a listener speaks.
enum class Listener { kHttp, kHttps, kRedirect, kMetrics };

// The header every response of the main listener carries.
constexpr std::string_view kRequestIdHeader = "X-Request-Id";

// How long a TLS close_notify exchange may take before the socket is simply closed.
constexpr std::chrono::seconds kTlsShutdownTimeout{2};

// After the shutdown grace: how long the answers of handlers that were still running get to
// be written before the remaining connections are cut.
constexpr std::chrono::milliseconds kAnswerWindow{500};

// How long accepting pauses when accept() fails for lack of file descriptors.
constexpr std::chrono::milliseconds kAcceptPause{100};

// The connection cap that the open file limit can hold: raises the soft RLIMIT_NOFILE towards
// its hard limit as far as `wanted` needs, and lowers `wanted` (with a warning) when even the
// hard limit cannot hold it plus kReservedFiles.
std::size_t FitToFileLimit(std::size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  rlim_t needed = static_cast<rlim_t>(wanted + kReservedFiles);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min(limit.rlim_max, needed);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) return wanted;
  std::size_t fits =
      limit.rlim_cur > 2 * kReservedFiles ? limit.rlim_cur - kReservedFiles : limit.rlim_cur / 2;
  spdlog::warn(
      "max connections lowered from {} to {}: the open file limit is {} (raise it: ulimit -n, "
      "or LimitNOFILE= in the systemd unit)",
      wanted, fits, static_cast<unsigned long long>(limit.rlim_cur));
  return std::max<std::size_t>(1, fits);
}

}  // namespace

struct Server::Impl {
  // One live connection: what the registry sees (busy, idle since, shedding) and its stream.
  struct Connection : ConnectionRegistry::Entry {
    TcpStream* stream = nullptr;
    bool closed = false;  // set on the connection's I/O thread before the stream is destroyed
  };

  Impl(ServerOptions opts, Service& s)
      : options(std::move(opts)),
        service(s),
        router(s.router()),
        contexts(MakeContexts(options.io_threads)),
        acceptor(contexts.front()->get_executor()),
        redirect_acceptor(contexts.front()->get_executor()),
        metrics_acceptor(contexts.front()->get_executor()),
        store_pool(static_cast<std::size_t>(options.store_threads)),
        hashing_pool(static_cast<std::size_t>(options.hashing_threads)),
        registry(FitToFileLimit(options.max_connections)) {
    if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
      tls.emplace(MakeTlsContext(options.tls_cert_file, options.tls_key_file));
    }
    Listen(acceptor, options.address, options.port);
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

  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (int i = 0; i < std::max(1, n); ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }

  // The I/O thread of the next accepted connection: round robin.
  asio::io_context& NextContext() { return *contexts[next_context++ % contexts.size()]; }

  Task<void> Accept(Acceptor& from, Listener kind) {
    bool paused = false;  // logged once per run of descriptor shortages
    for (;;) {
      auto accepted = co_await from.async_accept(NextContext().get_executor(), kTuple);
      beast::error_code ec = std::get<0>(accepted);
      Socket socket = std::move(std::get<1>(accepted));
      if (ec) {
        if (stopping || !from.is_open()) co_return;
        if (ec == asio::error::no_descriptors || ec.value() == ENFILE) {
          // The pending connection stays in the backlog: retrying at once would spin.
          if (!paused) spdlog::warn("accept failed: {}; pausing accepts", ec.message());
          paused = true;
          asio::steady_timer::rebind_executor<Executor>::other pause(from.get_executor(),
                                                                     kAcceptPause);
          co_await pause.async_wait(kTuple);
          continue;
        }
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      paused = false;
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto executor = socket.get_executor();
      if (kind == Listener::kHttps) {
        asio::co_spawn(executor, Serve(TlsStream(std::move(socket), *tls), kind), asio::detached);
      } else {
        asio::co_spawn(executor, Serve(TcpStream(std::move(socket)), kind), asio::detached);
      }
    }
  }

  // Runs the handler on its pool and resumes the connection on its I/O thread with the answer.
  // Not co_spawn onto the pool: a coroutine that never suspends there posts its completion to
  // the back of the pool's queue first, so an answer waited behind every hash queued after it
  // (60 concurrent logins were all answered at once, after the last hash).
  Task<Response> Run(const std::function<Response()>& work, Pool pool, const Request& request) {
    if (pool == Pool::kInline) co_return CallHandler(work, request);
    auto& target = pool == Pool::kHashing ? hashing_pool : store_pool;
    metrics::PoolLoad* load = nullptr;  // queue depth and busy threads, for /metrics
    if (options.metrics) {
      load = pool == Pool::kHashing ? &options.metrics->hashing_pool()
                                    : &options.metrics->store_pool();
      load->queued.fetch_add(1, std::memory_order_relaxed);
    }
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<Executor>&, void(Response)>(
        [&target, &work, &request, pool, load](auto resume) {
          // Keeps the connection's io_context running until the answer is back on it.
          asio::executor_work_guard<Executor> io(asio::get_associated_executor(resume));
          asio::post(target, [&work, &request, pool, load, resume = std::move(resume),
                              io = std::move(io)]() mutable {
            if (pool == Pool::kHashing) LowerHashingThreadPriority();
            if (load) {
              load->queued.fetch_sub(1, std::memory_order_relaxed);
              load->busy.fetch_add(1, std::memory_order_relaxed);
            }
            Response response = CallHandler(work, request);
            if (load) load->busy.fetch_sub(1, std::memory_order_relaxed);
            Executor executor = io.get_executor();
            asio::post(executor,
                       [resume = std::move(resume), response = std::move(response),
                        io = std::move(io)]() mutable { std::move(resume)(std::move(response)); });
          });
        },
        asio::use_awaitable_t<Executor>{});
  }

  // One connection: the TLS handshake when Stream is an ssl_stream, then the request loop
  // (or the redirect answer), then an orderly close.
  template <class Stream>
  Task<void> Serve(Stream stream, Listener kind) {
    constexpr bool kTls = !std::is_same_v<Stream, TcpStream>;
    TcpStream& lowest = beast::get_lowest_layer(stream);
    auto conn = std::make_shared<Connection>();
    conn->stream = &lowest;
    std::weak_ptr<Connection> weak = conn;
    conn->close_if_idle = [weak, executor = lowest.get_executor()] {
      asio::post(executor, [weak] {
        auto c = weak.lock();
        if (c && !c->closed && !c->busy.load(std::memory_order_relaxed)) {
          c->stream->socket().cancel();
        }
      });
    };
    beast::error_code ec;
    if (registry.Admit(conn) == ConnectionRegistry::Admission::kRefused) {
      co_await Refuse(stream, kind);
      lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
      lowest.close();
      co_return;
    }
    Peer peer;
    peer.address = lowest.socket().remote_endpoint(ec).address().to_string();
    peer.direct = options.trusted_proxies.Resolve(peer.address, {}, {});
    peer.trusted = options.trusted_proxies.Contains(peer.direct.ip);
    beast::flat_buffer buffer;
    try {
      bool ready = true;
      if constexpr (kTls) {
        lowest.expires_after(options.header_timeout);  // the handshake counts as header time
        auto handshake = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
        if (beast::error_code hec = std::get<0>(handshake)) {
          spdlog::debug("TLS handshake with {} failed: {}", peer.address, hec.message());
          ready = false;
        }
      }
      if (ready && kind == Listener::kRedirect) {
        if constexpr (!kTls) co_await Redirect(stream, buffer);
      } else if (ready && kind == Listener::kMetrics) {
        if constexpr (!kTls) co_await ServeMetrics(stream, buffer);
      } else if (ready) {
        co_await Loop(stream, buffer, *conn, peer, kTls);
      }
      if constexpr (kTls) {
        if (ready && lowest.socket().is_open()) {
          lowest.expires_after(kTlsShutdownTimeout);
          co_await stream.async_shutdown(kTuple);  // close_notify; errors do not matter here
        }
      }
    } catch (const std::exception& e) {
      spdlog::error("connection from {} failed: {}", peer.address, e.what());
    }
    lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
    lowest.close();
    conn->closed = true;
    registry.Remove(conn);
  }

  // At the cap with every connection busy: 503 on plain HTTP (before reading the request), a
  // plain close on TLS (no handshake spent on a connection that cannot be served).
  template <class Stream>
  Task<void> Refuse(Stream& stream, Listener kind) {
    if constexpr (std::is_same_v<Stream, TcpStream>) {
      // Only the main listener answers 503 (and counts it); a redirect or metrics connection
      // refused at the cap is just closed (a scraper records the failed scrape).
      if (kind == Listener::kHttp) {
        auto started = std::chrono::steady_clock::now();
        Response answer = SimpleError(Errc::kServerBusy);
        answer.AddHeader("Retry-After", "1");
        Request unparsed;
        unparsed.request_id = NewRequestId();
        StaticHeaders common = Router::CommonHeaders(unparsed, answer);
        bhttp::response<bhttp::string_body> msg;
        ToBeast(std::move(answer), common, 11, false, false, msg);
        msg.set(kRequestIdHeader, unparsed.request_id);
        std::size_t bytes = msg.body().size();
        stream.expires_after(options.write_timeout);
        co_await bhttp::async_write(stream, msg, kTuple);
        RecordRequest(options.metrics, router, unparsed, kUnroutedRequest, 503, Since(started),
                      bytes);
      }
    }
  }

  // The plain-HTTP redirect listener: read the header block only (no body processing), answer
  // 308 to HTTPS (or 400/431), close.
  Task<void> Redirect(TcpStream& stream, beast::flat_buffer& buffer) {
    bhttp::request_parser<bhttp::empty_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    stream.expires_after(options.header_timeout);
    auto read_result = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    beast::error_code ec = std::get<0>(read_result);
    Response answer;
    if (ec == bhttp::error::header_limit) {
      answer = SimpleError(Errc::kHeadersTooLarge);
    } else if (ec) {
      co_return;  // timeout, EOF, or not HTTP: nothing worth answering on plain HTTP
    } else {
      const auto& header = parser.get();
      answer = HttpsRedirect(header[bhttp::field::host], header.target(), port());
    }
    bool head = !ec && parser.get().method() == bhttp::verb::head;
    Request plain;  // plain HTTP: no HSTS
    if (parser.is_header_done()) {
      std::string_view target = parser.get().target();
      plain.path = std::string(target.substr(0, target.find('?')));  // /api: no-store
    }
    StaticHeaders common = Router::CommonHeaders(plain, answer);
    bhttp::response<bhttp::string_body> msg;
    ToBeast(std::move(answer), common, 11, false, head, msg);
    stream.expires_after(options.write_timeout);
    co_await bhttp::async_write(stream, msg, kTuple);
  }

  // The metrics listener: read the header block only, answer GET /metrics from the store pool
  // (gauges may read the store; the I/O thread never waits), 404 to anything else; close.
  Task<void> ServeMetrics(TcpStream& stream, beast::flat_buffer& buffer) {
    bhttp::request_parser<bhttp::empty_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    stream.expires_after(options.header_timeout);
    auto read_result = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    if (std::get<0>(read_result)) co_return;  // timeout, EOF, too large or not HTTP
    const auto& header = parser.get();
    std::string_view target = header.target();
    Request request;
    request.method = ToMethod(header.method());
    request.path = std::string(target.substr(0, target.find('?')));
    Response answer;
    if (request.path == "/metrics" &&
        (request.method == Method::kGet || request.method == Method::kHead) &&
        options.metrics_handler) {
      std::function<Response()> render = [this, &request] {
        return options.metrics_handler(request);
      };
      answer = co_await Run(render, Pool::kStore, request);
    } else {
      answer = SimpleError(Errc::kNotFound);
    }
    bhttp::response<bhttp::string_body> msg;
    ToBeast(std::move(answer), {}, 11, false, request.method == Method::kHead, msg);
    stream.expires_after(options.write_timeout);
    co_await bhttp::async_write(stream, msg, kTuple);
  }

  static std::uint64_t Since(std::chrono::steady_clock::time_point started) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now() - started)
                                          .count());
  }

  template <class Stream>
  Task<void> Loop(Stream& stream, beast::flat_buffer& buffer, Connection& conn, const Peer& peer,
                  bool tls) {
    TcpStream& lowest = beast::get_lowest_layer(stream);
    // Shedding is checked here too: a connection chosen while it turned busy (the cancel
    // then finds it busy) closes after that response instead of waiting again.
    while (!stopping && !conn.shedding.load(std::memory_order_relaxed)) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      parser.body_limit(options.body_limit);
      // Two deadlines, not one: the header block (and the idle wait before it) gets
      // header_timeout, the body gets body_timeout from the moment the header is in.
      lowest.expires_after(options.header_timeout);
      auto read_result = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
      beast::error_code ec = std::get<0>(read_result);
      if (!ec && !parser.is_done()) {
        lowest.expires_after(options.body_timeout);
        auto body_result = co_await bhttp::async_read(stream, buffer, parser, kTuple);
        ec = std::get<0>(body_result);
      }
      if (ec) {
        std::optional<Response> answer;
        if (ec == bhttp::error::body_limit) {
          answer = SimpleError(Errc::kPayloadTooLarge);
        } else if (ec == bhttp::error::header_limit) {
          answer = SimpleError(Errc::kHeadersTooLarge);
        } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                   ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
          answer = SimpleError(Errc::kMalformedRequest);
        }
        if (answer) {
          auto started = std::chrono::steady_clock::now();
          Request unparsed;
          unparsed.tls = tls;  // HSTS too, when the connection is TLS
          unparsed.client_ip = peer.direct.ip;
          // The client's id if the parser got to it before the error, else a new one.
          unparsed.request_id = RequestIdFor(parser.get()[kRequestIdHeader]);
          unparsed.method = ToMethod(parser.get().method());
          int status = answer->status;
          StaticHeaders common = Router::CommonHeaders(unparsed, *answer);
          lowest.expires_after(options.write_timeout);
          bhttp::response<bhttp::string_body> msg;
          ToBeast(std::move(*answer), common, 11, false, false, msg);
          msg.set(kRequestIdHeader, unparsed.request_id);
          std::size_t bytes = msg.body().size();
          co_await bhttp::async_write(stream, msg, kTuple);
          RecordRequest(options.metrics, router, unparsed, kUnroutedRequest, status, Since(started),
                        bytes);
        }
        co_return;  // timeout, EOF, reset or an answered protocol error: close
      }
      conn.MarkBusy();
      auto started = std::chrono::steady_clock::now();  // ~20 ns (vDSO): the histograms
      auto message = parser.release();
      unsigned version = message.version();
      bool keep_alive = message.keep_alive();
      Request request = Translate(std::move(message), peer, tls, options.trusted_proxies);

      Dispatch dispatch = CallBegin(service, request);
      Response response;
      if (dispatch.response) {
        response = std::move(*dispatch.response);  // answered on this I/O thread, no pool hop
      } else {
        response = co_await Run(dispatch.work, dispatch.pool, request);
      }
      StaticHeaders common = Router::CommonHeaders(request, response);
      int status = response.status;
      // Shedding (at the connection cap) or stopping: this response is the last.
      keep_alive = keep_alive && !stopping && !conn.shedding.load(std::memory_order_relaxed);
      bhttp::response<bhttp::string_body> out;
      ToBeast(std::move(response), common, version, keep_alive, request.method == Method::kHead,
              out);
      out.set(kRequestIdHeader, request.request_id);
      std::size_t bytes = out.body().size();
      lowest.expires_after(options.write_timeout);
      auto write_result = co_await bhttp::async_write(stream, out, kTuple);
      beast::error_code wec = std::get<0>(write_result);
      conn.MarkIdle();
      RecordRequest(options.metrics, router, request, dispatch.route, status, Since(started),
                    bytes);
      if (wec || !keep_alive) co_return;
    }
  }

  unsigned short port() const { return acceptor.local_endpoint().port(); }

  unsigned short metrics_port() const {
    beast::error_code ec;
    return metrics_acceptor.is_open() ? metrics_acceptor.local_endpoint(ec).port() : 0;
  }

  // Stop accepting; close connections that wait for a next request; busy ones close after
  // writing their response (keep_alive is off once stopping is set).
  void BeginShutdown() {
    stopping = true;
    beast::error_code ec;
    acceptor.close(ec);
    redirect_acceptor.close(ec);
    metrics_acceptor.close(ec);
    registry.CloseIdle();
  }

  // Ends every I/O thread's run() (after the drain).
  void StopContexts() {
    for (auto& work : keep_running) work.reset();
    for (auto& context : contexts) context->stop();
  }

  ServerOptions options;
  Service& service;
  const Router& router;
  std::vector<std::unique_ptr<asio::io_context>> contexts;        // one per I/O thread
  std::vector<asio::executor_work_guard<Executor>> keep_running;  // idle contexts keep running
  std::size_t next_context = 0;           // touched only by the accept loops, on contexts[0]
  std::optional<asio::ssl::context> tls;  // set when the main listener speaks TLS
  Acceptor acceptor;
  Acceptor redirect_acceptor;  // open only with redirect_address
  Acceptor metrics_acceptor;   // open only with metrics_address
  asio::thread_pool store_pool;
  asio::thread_pool hashing_pool;
  std::atomic<bool> stopping{false};
  ConnectionRegistry registry;
};

Server::Server(ServerOptions options, Service& service)
    : impl_(std::make_unique<Impl>(std::move(options), service)) {}

Server::~Server() {
  impl_->store_pool.join();
  impl_->hashing_pool.join();
}

unsigned short Server::port() const { return impl_->port(); }

unsigned short Server::metrics_port() const { return impl_->metrics_port(); }

bool Server::tls() const { return impl_->tls.has_value(); }

void Server::Run() {
  Impl& s = *impl_;
  asio::io_context& main = *s.contexts.front();
  asio::signal_set signals(main, SIGINT, SIGTERM);
  std::thread watchdog;
  signals.async_wait([&](const beast::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("signal {} received: draining connections", signo);
    s.BeginShutdown();
    // Bounded drain: whatever is still open after the grace period is cut.
    watchdog = std::thread([&s] {
      if (!s.registry.WaitUntilEmpty(s.options.shutdown_grace)) {
        spdlog::warn("shutdown grace period over: closing remaining connections");
      }
      // Work still queued on the pools belongs to connections being cut: drop it (no write
      // for a request that will never be answered). Handlers already running finish, and
      // their answers get kAnswerWindow to be written: a write they committed is answered.
      s.store_pool.stop();
      s.hashing_pool.stop();
      s.store_pool.join();
      s.hashing_pool.join();
      s.registry.WaitUntilEmpty(kAnswerWindow);
      s.StopContexts();
    });
  });
  asio::co_spawn(main, s.Accept(s.acceptor, s.tls ? Listener::kHttps : Listener::kHttp),
                 asio::detached);
  if (s.redirect_acceptor.is_open()) {
    asio::co_spawn(main, s.Accept(s.redirect_acceptor, Listener::kRedirect), asio::detached);
  }
  if (s.metrics_acceptor.is_open()) {
    asio::co_spawn(main, s.Accept(s.metrics_acceptor, Listener::kMetrics), asio::detached);
  }

  for (auto& context : s.contexts) s.keep_running.emplace_back(context->get_executor());
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < s.contexts.size(); ++i) {
    threads.emplace_back([&s, i] { s.contexts[i]->run(); });
  }
  main.run();
  for (auto& t : threads) t.join();
  if (watchdog.joinable()) watchdog.join();
  s.store_pool.join();
  s.hashing_pool.join();
  spdlog::info("server stopped");
}

}  // namespace latchkey::http
