#include "http/transport/forward.h"

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/container/small_vector.hpp>
#include <optional>
#include <span>
#include <tuple>

#include "http/error_mapping.h"
#include "http/proxy/header_policy.h"
#include "http/proxy/plan.h"
#include "http/transport/answer.h"
#include "http/transport/upstream_pool.h"
#include "http/transport/wire_writer.h"
#include "http/transport/worker_pools.h"

namespace latchkey::http::transport {
namespace {

// Bytes relayed per read, each way: what one proxied request holds in memory for its body
// (twice: the chunk read, then its serialised copy, Gather).
constexpr std::size_t kChunk = 16 * 1024;
// An upstream's response header block at most (502 beyond): generous, for cookies and CSPs.
constexpr std::uint32_t kUpstreamHeaderLimit = 64 * 1024;

using BodyParser = bhttp::request_parser<bhttp::buffer_body>;
using UpstreamParser = bhttp::response_parser<bhttp::buffer_body>;

// Views of a parsed message's fields for the header policy (no copies; up to kFieldViews
// fields without an allocation).
constexpr std::size_t kFieldViews = 32;
using FieldViews = boost::container::small_vector<proxy::HeaderView, kFieldViews>;

FieldViews ViewsOf(const bhttp::fields& fields) {
  FieldViews out;
  for (const auto& f : fields) out.emplace_back(f.name_string(), f.value());
  return out;
}

std::uint64_t Since(std::chrono::steady_clock::time_point started) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now() - started)
                                        .count());
}

bool IsTimeout(const beast::error_code& ec) { return ec == beast::error::timeout; }

// Reads and drops the body of a refused request when it is small enough to be worth keeping
// the connection (the body limit of Latchkey's own routes); false: the connection must close.
template <class Stream>
Task<bool> DropBody(Stream& stream, beast::flat_buffer& buffer, HeaderParser& head,
                    const Context& context) {
  if (head.is_done()) co_return true;
  auto length = head.content_length();
  if (!length || *length > context.options.body_limit) co_return false;
  bhttp::request_parser<bhttp::string_body> rest(std::move(head));
  rest.body_limit(context.options.body_limit);
  beast::get_lowest_layer(stream).expires_after(context.options.body_timeout);
  auto result = co_await bhttp::async_read(stream, buffer, rest, kTuple);
  beast::error_code ec = std::get<0>(result);
  co_return !ec;
}

// The state of one proxied exchange.
template <class Stream>
struct Exchange {
  Stream& stream;
  beast::flat_buffer& buffer;
  const Context& context;
  Listener listener;
  Request request;
  Framing framing;
  bool keep_alive = false;
  std::pmr::memory_resource* arena = nullptr;  // the fields of the messages built (kArena)

  Task<bool> Answer(Response response) {
    framing.keep_alive = keep_alive;
    bool written = co_await WriteAnswer(stream, context, listener, request, response, framing);
    co_return written&& keep_alive;
  }
};

// Sends the request (header block, then the body as it arrives) on `up`. An error code from
// the client's side is returned in `client_ec`; one from the upstream's side in `upstream_ec`.
template <class Stream>
Task<void> SendRequest(Exchange<Stream>& x, BodyParser& body, OutRequest& out,
                       UpstreamConnection& up, beast::error_code& client_ec,
                       beast::error_code& upstream_ec) {
  const ServerOptions& options = x.context.options;
  std::array<char, kChunk> chunk;
  std::string wire;
  WireWriter<true> writer(out);
  do {
    std::size_t got = 0;
    if (!body.is_done()) {
      body.get().body().data = chunk.data();
      body.get().body().size = chunk.size();
      beast::get_lowest_layer(x.stream).expires_after(options.body_timeout);
      auto result = co_await bhttp::async_read_some(x.stream, x.buffer, body, kTuple);
      beast::error_code ec = std::get<0>(result);
      if (ec && ec != bhttp::error::need_buffer) {
        client_ec = ec;
        co_return;
      }
      got = chunk.size() - body.get().body().size;
      // Nothing to pass yet (a chunk header, say): a zero-size write would end a chunked body.
      if (got == 0 && !body.is_done()) continue;
    }
    up.stream.expires_after(options.upstream_timeout);
    beast::error_code ec = writer.Next(chunk.data(), got, body.is_done(), wire);
    if (!ec && !wire.empty()) {
      // Awaited here, not in a helper coroutine: each coroutine is a frame allocated per call.
      ec = std::get<0>(co_await asio::async_write(up.stream, asio::buffer(wire), kTuple));
    }
    if (ec) {
      upstream_ec = ec;
      co_return;
    }
  } while (!writer.done());
}

// The upstream's response header block (1xx interim answers skipped).
Task<beast::error_code> ReadResponseHeader(UpstreamConnection& up,
                                           std::optional<UpstreamParser>& rp, bool head,
                                           std::chrono::seconds timeout) {
  for (;;) {
    rp.emplace();
    rp->header_limit(kUpstreamHeaderLimit);
    rp->body_limit(boost::none);  // streamed: no memory is held for it
    if (head) rp->skip(true);
    up.stream.expires_after(timeout);
    auto result = co_await bhttp::async_read_header(up.stream, up.buffer, *rp, kTuple);
    beast::error_code ec = std::get<0>(result);
    if (ec) co_return ec;
    unsigned status = rp->get().result_int();
    if (status / 100 != 1 || status == 101) co_return beast::error_code{};
  }
}

// Streams the upstream's answer to the client; false when the client connection must close.
template <class Stream>
Task<bool> Relay(Exchange<Stream>& x, UpstreamParser& rp, UpstreamConnection& up,
                 std::span<const std::string_view> own_cookies, std::size_t& bytes) {
  const ServerOptions& options = x.context.options;
  unsigned status = rp.get().result_int();
  OutResponse res = InArena<OutResponse>(x.arena);
  res.version(x.framing.version);
  res.result(status);
  res.reason(rp.get().reason());
  proxy::ClientResponseHeaders(
      ViewsOf(rp.get()), own_cookies,
      [&](std::string_view name, std::string_view value) { res.insert(name, value); });
  StaticHeaders security;
  AddSecurityHeaders(x.request, security);
  for (const StaticHeader& h : security) {
    if (res.find(h.name) == res.end()) res.set(h.name, h.value);
  }
  res.set(kRequestIdHeader, x.request.request_id);
  bool bodyless = x.framing.head || status == 204 || status == 304 || status / 100 == 1;
  bool keep_alive = x.keep_alive;
  if (bodyless) {
    auto length = rp.get()[bhttp::field::content_length];
    if (!length.empty() && status != 204) res.set(bhttp::field::content_length, length);
  } else if (auto n = rp.content_length()) {
    res.content_length(*n);
  } else if (x.framing.version >= 11) {
    res.chunked(true);
  } else {
    keep_alive = false;  // HTTP/1.0 client: the body ends with the connection
  }
  res.keep_alive(keep_alive);
  WireWriter<false> writer(res);
  auto& lowest = beast::get_lowest_layer(x.stream);
  std::string wire;
  if (bodyless) {
    lowest.expires_after(options.write_timeout);
    writer.Header(wire);
    auto result = co_await asio::async_write(x.stream, asio::buffer(wire), kTuple);
    co_return !std::get<0>(result) && keep_alive;
  }
  std::array<char, kChunk> chunk;
  do {
    std::size_t got = 0;
    if (!rp.is_done()) {
      rp.get().body().data = chunk.data();
      rp.get().body().size = chunk.size();
      up.stream.expires_after(options.upstream_timeout);
      auto result = co_await bhttp::async_read_some(up.stream, up.buffer, rp, kTuple);
      beast::error_code ec = std::get<0>(result);
      if (ec && ec != bhttp::error::need_buffer) co_return false;  // cut short: so is the client's
      got = chunk.size() - rp.get().body().size;
      if (got == 0 && !rp.is_done()) continue;  // as in SendRequest
    }
    lowest.expires_after(options.write_timeout);
    beast::error_code ec = writer.Next(chunk.data(), got, rp.is_done(), wire);
    if (!ec && !wire.empty()) {
      ec = std::get<0>(co_await asio::async_write(x.stream, asio::buffer(wire), kTuple));
    }
    if (ec) co_return false;
    bytes += got;
  } while (!writer.done());
  co_return keep_alive;
}

template <class Stream>
Task<bool> Forward(Stream& stream, beast::flat_buffer& buffer, HeaderParser& head, const Peer& peer,
                   Listener listener, const Context& context) {
  const ServerOptions& options = context.options;
  const bool tls = listener == Listener::kHttps;
  Exchange<Stream> x{stream,
                     buffer,
                     context,
                     listener,
                     TranslateHeader(head.get(), peer, tls, options.trusted_proxies),
                     Framing{},
                     false};
  x.framing.version = head.get().version();
  x.framing.head = head.get().method() == bhttp::verb::head;
  x.keep_alive = head.get().keep_alive() && !context.stopping;

  // The pipeline: the same steps as Latchkey's own routes, then the access decision.
  Dispatch d = CallBegin(context.service, x.request);
  x.framing.route = d.route;
  std::optional<Response> refusal = std::move(d.response);
  if (!refusal && d.work) {
    Response answer = co_await context.pools.Run(d.work, d.pool, x.request);
    if (!d.forward || !d.forward->approved) refusal = std::move(answer);
  }
  if (!refusal && (!d.forward || !context.upstreams))
    refusal = ErrorResponse(MakeError(Errc::kInternal));
  if (refusal) {
    x.keep_alive = x.keep_alive && co_await DropBody(stream, buffer, head, context);
    co_return co_await x.Answer(std::move(*refusal));
  }
  proxy::ForwardPlan& plan = *d.forward;
  UpstreamPool& pool = context.upstreams->at(plan.upstream);
  plan.rewrite.upstream_authority = pool.upstream().authority;

  alignas(std::max_align_t) std::array<std::byte, kArena> arena_bytes;
  std::pmr::monotonic_buffer_resource arena(arena_bytes.data(), arena_bytes.size());
  x.arena = &arena;
  OutRequest out = InArena<OutRequest>(&arena);
  if (head.get().method() == bhttp::verb::unknown) {
    out.method_string(head.get().method_string());
  } else {
    out.method(head.get().method());
  }
  out.target(plan.target);
  out.version(11);
  proxy::UpstreamRequestHeaders(
      ViewsOf(head.get()), {peer.direct.ip, peer.trusted, tls}, plan.rewrite,
      [&](std::string_view name, std::string_view value) { out.insert(name, value); });
  BodyParser body(std::move(head));
  body.body_limit(options.max_upstream_body);  // a chunked body, as it grows
  if (auto length = body.content_length(); length && *length > options.max_upstream_body) {
    x.keep_alive = false;  // the body is not read
    co_return co_await x.Answer(ErrorResponse(MakeError(Errc::kPayloadTooLarge)));
  }
  bool has_body = !body.is_done();
  // Let through: a client that waits for 100 Continue (RFC 9110 10.1.1) may send its body now.
  if (has_body && beast::iequals(body.get()[bhttp::field::expect], "100-continue")) {
    bhttp::response<bhttp::empty_body> go{bhttp::status::continue_, x.framing.version};
    beast::get_lowest_layer(stream).expires_after(options.write_timeout);
    co_await bhttp::async_write(stream, go, kTuple);  // a failure shows on the body's read
  }
  if (body.chunked()) {
    out.chunked(true);
  } else if (auto length = body.content_length()) {
    out.content_length(*length);
  } else if (IsStateChanging(x.request.method)) {
    out.content_length(0);
  }

  // A kept-alive connection may have been closed by the upstream meanwhile: a request without
  // a body is sent again once on a new connection (nothing of it was consumed).
  std::unique_ptr<UpstreamConnection> up;
  std::optional<UpstreamParser> rp;
  std::chrono::steady_clock::time_point sent;
  for (int attempt = 0;; ++attempt) {
    UpstreamPool::Failure failure;
    up = co_await pool.Acquire(stream.get_executor(), failure);
    if (!up) {
      x.keep_alive = false;
      co_return co_await x.Answer(ErrorResponse(MakeError(failure == UpstreamPool::Failure::kTimeout
                                                              ? Errc::kUpstreamTimeout
                                                              : Errc::kUpstreamUnavailable)));
    }
    sent = std::chrono::steady_clock::now();
    beast::error_code client_ec, upstream_ec;
    co_await SendRequest(x, body, out, *up, client_ec, upstream_ec);
    if (client_ec) {
      pool.Discard(std::move(up));
      x.keep_alive = false;
      if (auto error = ParseError(client_ec)) co_return co_await x.Answer(ErrorResponse(*error));
      co_return false;  // the client went away or was too slow
    }
    if (!upstream_ec)
      upstream_ec = co_await ReadResponseHeader(*up, rp, x.framing.head, options.upstream_timeout);
    if (!upstream_ec) break;
    bool retry = up->reused && !has_body && attempt == 0 && !IsTimeout(upstream_ec);
    pool.Discard(std::move(up));
    if (retry) continue;
    x.keep_alive = x.keep_alive && body.is_done();
    bool timeout = IsTimeout(upstream_ec);
    (timeout ? pool.stats().timeouts : pool.stats().broken).fetch_add(1, std::memory_order_relaxed);
    co_return co_await x.Answer(
        ErrorResponse(MakeError(timeout ? Errc::kUpstreamTimeout : Errc::kUpstreamUnavailable)));
  }

  unsigned status = rp->get().result_int();
  std::uint64_t upstream_nanos = Since(sent);
  if (status >= 100 && status < 600) {
    pool.stats().responses[status / 100 - 1].fetch_add(1, std::memory_order_relaxed);
  }
  std::size_t bytes = 0;
  bool keep_alive = co_await Relay(x, *rp, *up, plan.rewrite.drop_cookies, bytes);
  bool reusable = rp->is_done() && rp->get().keep_alive() && up->buffer.size() == 0;
  if (reusable) {
    pool.Release(std::move(up));
  } else {
    pool.Discard(std::move(up));
  }
  RecordRequest(options.metrics, context.router, x.request, x.framing.route,
                static_cast<int>(status), Since(x.framing.started), bytes,
                UpstreamTiming{static_cast<int>(status), upstream_nanos});
  co_return keep_alive;
}

}  // namespace

Task<bool> ForwardRequest(TcpStream& stream, beast::flat_buffer& buffer, HeaderParser& head,
                          const Peer& peer, Listener listener, const Context& context) {
  return Forward(stream, buffer, head, peer, listener, context);
}

Task<bool> ForwardRequest(TlsStream& stream, beast::flat_buffer& buffer, HeaderParser& head,
                          const Peer& peer, Listener listener, const Context& context) {
  return Forward(stream, buffer, head, peer, listener, context);
}

}  // namespace latchkey::http::transport
