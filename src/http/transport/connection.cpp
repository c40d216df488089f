#include "http/transport/connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>

#include "http/error_mapping.h"
#include "http/request_id.h"
#include "http/transport/answer.h"
#include "http/transport/forward.h"
#include "http/transport/message.h"
#include "http/transport/side_listeners.h"
#include "http/transport/worker_pools.h"

namespace latchkey::http::transport {

namespace {

// How long a TLS close_notify exchange may take before the socket is simply closed.
constexpr std::chrono::seconds kTlsShutdownTimeout{2};

// One live connection: what the registry sees (busy, idle since, shedding) and its stream.
struct Connection : ConnectionRegistry::Entry {
  TcpStream* stream = nullptr;
  bool closed = false;  // set on the connection's I/O thread before the stream is destroyed
};

// What happens between a translated request and its response, in one place: the service
// (the request pipeline, api/pipeline.h) answers on this I/O thread when it can, else names the
// work and its pool. `route`: set to Dispatch::route, for the record.
Task<Response> Respond(const Context& context, Request& request, int& route) {
  Dispatch dispatch = CallBegin(context.service, request);
  route = dispatch.route;
  if (dispatch.response) co_return std::move(*dispatch.response);  // no pool hop
  co_return co_await context.pools.Run(dispatch.work, dispatch.pool, request);
}

// The answer to a request Beast could not read (message.h's ParseError), if it deserves one.
template <class Stream>
Task<void> AnswerParseError(Stream& stream, beast::error_code ec,
                            const bhttp::request_header<>& header, const Peer& peer, Listener kind,
                            const Context& context) {
  std::optional<Error> error = ParseError(ec);
  if (!error) co_return;
  Request unparsed;
  unparsed.tls = kind == Listener::kHttps;  // HSTS too, when the connection is TLS
  unparsed.client_ip = peer.direct.ip;
  // The client's id if the parser got to it before the error, else a new one.
  unparsed.request_id = RequestIdFor(header[kRequestIdHeader]);
  unparsed.method = ToMethod(header.method());
  Response answer = ErrorResponse(*error);
  Framing framing;
  co_await WriteAnswer(stream, context, kind, unparsed, answer, framing);
}

// The request loop of the main listener (connection.h).
template <class Stream>
Task<void> Loop(Stream& stream, beast::flat_buffer& buffer, Connection& conn, const Peer& peer,
                Listener kind, const Context& context) {
  const ServerOptions& options = context.options;
  const bool tls = kind == Listener::kHttps;
  TcpStream& lowest = beast::get_lowest_layer(stream);
  // Shedding is checked here too: a connection chosen while it turned busy (the cancel
  // then finds it busy) closes after that response instead of waiting again.
  while (!context.stopping && !conn.shedding.load(std::memory_order_relaxed)) {
    // The header block first, alone: a request for an upstream is decided on before its body,
    // which is streamed (forward.h). Its body limit is the larger of the two until the
    // header says where the request goes; Latchkey's own routes are held to body_limit below.
    HeaderParser head;
    head.header_limit(static_cast<std::uint32_t>(options.header_limit));
    head.body_limit(context.upstreams ? std::max(options.body_limit, options.max_upstream_body)
                                      : options.body_limit);
    // Two deadlines, not one: the header block (and the idle wait before it) gets
    // header_timeout, the body gets body_timeout from the moment the header is in.
    lowest.expires_after(options.header_timeout);
    auto read_result = co_await bhttp::async_read_header(stream, buffer, head, kTuple);
    beast::error_code ec = std::get<0>(read_result);
    if (ec) {
      co_await AnswerParseError(stream, ec, head.get(), peer, kind, context);
      co_return;  // timeout, EOF, reset or an answered protocol error: close
    }
    if (context.upstreams && context.service.Forwards(PathOf(head.get().target()))) {
      conn.MarkBusy();
      bool again = co_await ForwardRequest(stream, buffer, head, peer, kind, context);
      conn.MarkIdle();
      if (!again) co_return;
      continue;
    }
    bhttp::request_parser<bhttp::string_body> parser(std::move(head));
    parser.body_limit(options.body_limit);
    if (auto length = parser.content_length(); length && *length > options.body_limit) {
      ec = bhttp::error::body_limit;
    } else if (!parser.is_done()) {
      lowest.expires_after(options.body_timeout);
      auto body_result = co_await bhttp::async_read(stream, buffer, parser, kTuple);
      ec = std::get<0>(body_result);
    }
    if (ec) {
      co_await AnswerParseError(stream, ec, parser.get(), peer, kind, context);
      co_return;
    }
    conn.MarkBusy();
    Framing framing;  // started now: ~20 ns (vDSO), for the histograms
    auto message = parser.release();
    framing.version = message.version();
    bool keep_alive = message.keep_alive();
    Request request = Translate(std::move(message), peer, tls, options.trusted_proxies);
    Response response = co_await Respond(context, request, framing.route);
    // Shedding (at the connection cap) or stopping: this response is the last.
    framing.keep_alive =
        keep_alive && !context.stopping && !conn.shedding.load(std::memory_order_relaxed);
    framing.head = request.method == Method::kHead;
    bool written = co_await WriteAnswer(stream, context, kind, request, response, framing);
    conn.MarkIdle();
    if (!written || !framing.keep_alive) co_return;
  }
}

// At the cap with every connection busy: 503 on plain HTTP (before reading the request), a
// plain close on TLS (no handshake spent on a connection that cannot be served).
template <class Stream>
Task<void> Refuse(Stream& stream, Listener kind, const Context& context) {
  if constexpr (std::is_same_v<Stream, TcpStream>) {
    // Only the main listener answers 503 (and counts it); a redirect or metrics connection
    // refused at the cap is just closed (a scraper records the failed scrape).
    if (kind == Listener::kHttp) {
      Request unparsed;
      unparsed.request_id = NewRequestId();
      Response answer = ErrorResponse(MakeError(Errc::kServerBusy));
      Framing framing;
      co_await WriteAnswer(stream, context, kind, unparsed, answer, framing);
    }
  }
}

// One connection: the TLS handshake when Stream is an ssl_stream, then the request loop
// (or a side listener's answer), then an orderly close.
template <class Stream>
Task<void> Serve(Stream stream, Listener kind, const Context& context) {
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
  if (context.registry.Admit(conn) == ConnectionRegistry::Admission::kRefused) {
    co_await Refuse(stream, kind, context);
    lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
    lowest.close();
    co_return;
  }
  Peer peer = MakePeer(lowest.socket().remote_endpoint(ec).address().to_string(),
                       context.options.trusted_proxies);
  beast::flat_buffer buffer;
  try {
    bool ready = true;
    if constexpr (kTls) {
      lowest.expires_after(context.options.header_timeout);  // the handshake counts as header time
      auto handshake = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
      if (beast::error_code hec = std::get<0>(handshake)) {
        spdlog::debug("TLS handshake with {} failed: {}", peer.address, hec.message());
        ready = false;
      }
    }
    if (ready && kind == Listener::kRedirect) {
      if constexpr (!kTls) co_await ServeRedirect(stream, buffer, context);
    } else if (ready && kind == Listener::kMetrics) {
      if constexpr (!kTls) co_await ServeMetrics(stream, buffer, context);
    } else if (ready) {
      co_await Loop(stream, buffer, *conn, peer, kind, context);
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
  context.registry.Remove(conn);
}

}  // namespace

void SpawnConnection(Socket socket, Listener listener, const Context& context) {
  auto executor = socket.get_executor();
  if (listener == Listener::kHttps) {
    asio::co_spawn(executor, Serve(TlsStream(std::move(socket), *context.tls), listener, context),
                   asio::detached);
  } else {
    asio::co_spawn(executor, Serve(TcpStream(std::move(socket)), listener, context),
                   asio::detached);
  }
}

}  // namespace latchkey::http::transport
