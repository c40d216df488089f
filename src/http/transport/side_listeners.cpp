#include "http/transport/side_listeners.h"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <cstdint>
#include <tuple>

#include "http/error_mapping.h"
#include "http/https_redirect.h"
#include "http/transport/answer.h"
#include "http/transport/message.h"
#include "http/transport/worker_pools.h"

namespace latchkey::http::transport {

namespace {

using HeaderParser = bhttp::request_parser<bhttp::empty_body>;

// Reads the header block into `parser` under the header limit and timeout: the read itself,
// not a coroutine of ours (GCC 12 warns of mismatched new/delete on inlined awaitable frames).
auto ReadHeader(TcpStream& stream, beast::flat_buffer& buffer, HeaderParser& parser,
                const Context& context) {
  parser.header_limit(static_cast<std::uint32_t>(context.options.header_limit));
  stream.expires_after(context.options.header_timeout);
  return bhttp::async_read_header(stream, buffer, parser, kTuple);
}

}  // namespace

Task<void> ServeRedirect(TcpStream& stream, beast::flat_buffer& buffer, const Context& context) {
  HeaderParser parser;
  auto read = co_await ReadHeader(stream, buffer, parser, context);
  beast::error_code ec = std::get<0>(read);
  Response answer;
  if (ec == bhttp::error::header_limit) {
    answer = ErrorResponse(*ParseError(ec));
  } else if (ec) {
    co_return;  // timeout, EOF, or not HTTP: nothing worth answering on plain HTTP
  } else {
    const auto& header = parser.get();
    answer = HttpsRedirect(header[bhttp::field::host], header.target(), context.https_port);
  }
  Framing framing;
  framing.head = !ec && parser.get().method() == bhttp::verb::head;
  Request plain;  // plain HTTP: no HSTS; the path, when read, for /api's no-store
  if (parser.is_header_done()) plain.path = PathOf(parser.get().target());
  co_await WriteAnswer(stream, context, Listener::kRedirect, plain, answer, framing);
}

Task<void> ServeMetrics(TcpStream& stream, beast::flat_buffer& buffer, const Context& context) {
  HeaderParser parser;
  auto read = co_await ReadHeader(stream, buffer, parser, context);
  if (std::get<0>(read)) co_return;  // timeout, EOF, too large or not HTTP
  const auto& header = parser.get();
  Request request;
  request.method = ToMethod(header.method());
  request.path = PathOf(header.target());
  Response answer;
  if (request.path == "/metrics" &&
      (request.method == Method::kGet || request.method == Method::kHead) &&
      context.options.metrics_handler) {
    Work render = [&context, &request] { return context.options.metrics_handler(request); };
    answer = co_await context.pools.Run(render, Pool::kStore, request);
  } else {
    answer = ErrorResponse(MakeError(Errc::kNotFound));
  }
  Framing framing;
  framing.head = request.method == Method::kHead;
  co_await WriteAnswer(stream, context, Listener::kMetrics, request, answer, framing);
}

}  // namespace latchkey::http::transport
