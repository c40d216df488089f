// libFuzzer target: whole HTTP requests, in memory, through the server's request path: Beast's
// request parser with the server's limits, the server's own translation to latchkey's
// http::Request (http/transport/message.h: Translate, X-Request-Id included, for a peer that
// is a trusted proxy, without TLS), then the real request pipeline (api/pipeline.h: origin and
// CSRF guards, the route, the session resolved once, the handler) over real services on SQLite
// (support/fuzz_app.h). Left out: the sockets, timeouts and writes of the connection loop.
//
// Input: bytes as a client would send them on one keep-alive connection; up to kMaxRequests
// requests are read from it, one after another. These placeholders are replaced first, so the
// fuzzer reaches what needs a session or a CSRF token:
//   @SESSION@  a session cookie value of a live session
//   @BINDING@  a CSRF binding cookie value;  @TOKEN@  a CSRF token issued for it
// Invariants (a violation aborts: a crash): no request makes a 5xx answer or an escaping
// exception (a client's mistake is a 4xx); an answer's status is 200-499; no header name or
// value of an answer holds CR, LF or NUL (no response splitting); every answer has a
// Content-Type when it has a body; every translated request has an acceptable request id.
// Beast's own parse errors never reach the router: the server answers them with the error of
// message.h's ParseError (400/413/431), and the fuzzer checks that it is a 4xx, or none.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/error_mapping.h"
#include "http/request.h"
#include "http/request_id.h"
#include "http/transport/message.h"
#include "support/fuzz_app.h"
#include "support/fuzz_keys.h"

namespace {

using latchkey::fuzz::Check;
namespace bhttp = boost::beast::http;
namespace http = latchkey::http;
namespace transport = latchkey::http::transport;

constexpr int kMaxRequests = 4;
// http::ServerOptions' defaults (src/http/server.h).
constexpr std::uint32_t kHeaderLimit = 8 * 1024;
constexpr std::uint64_t kBodyLimit = 16 * 1024;

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

bool Clean(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) == s.npos; }

void CheckResponse(const http::Response& response) {
  Check(response.status >= 200 && response.status < 500, "a request was answered 5xx (or <200)");
  Check(Clean(response.content_type), "Content-Type holds CR, LF or NUL");
  Check(response.body.empty() || !response.content_type.empty(), "a body without Content-Type");
  for (const auto& [name, value] : response.headers) {
    Check(!name.empty() && Clean(name) && Clean(value), "a response header holds CR, LF or NUL");
  }
}

// What the server does with a request Beast could not read: a 4xx answer, or a plain close.
int CheckParseError(const boost::system::error_code& ec) {
  if (std::optional<latchkey::Error> error = transport::ParseError(ec)) {
    int status = http::StatusFor(error->code);
    Check(status >= 400 && status < 500, "a parse error was answered with a non-4xx status");
  }
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static latchkey::fuzz::FuzzApp& app = latchkey::fuzz::FuzzApp::Instance();
  app.Tick(7);  // throttle windows and idle timeouts pass as inputs go by
  std::string wire(reinterpret_cast<const char*>(data), size);
  if (wire.find('@') != std::string::npos) {
    wire = ReplaceAll(std::move(wire), "@SESSION@", app.LiveSessionCookie());
    wire = ReplaceAll(std::move(wire), "@BINDING@", app.CsrfBinding());
    wire = ReplaceAll(std::move(wire), "@TOKEN@", app.CsrfToken());
  }

  static const transport::Peer peer =
      transport::MakePeer(latchkey::fuzz::FuzzApp::kPeer, app.proxies());
  std::string_view rest(wire);
  for (int i = 0; i < kMaxRequests && !rest.empty(); ++i) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kBodyLimit);
    parser.eager(true);
    boost::system::error_code ec;
    std::size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    // Without more input a real connection would wait (then time out): nothing to answer.
    if (ec == bhttp::error::need_more) return 0;
    if (ec) return CheckParseError(ec);  // the server answers it itself and closes
    rest.remove_prefix(used);
    if (!parser.is_done()) {
      // Body not complete (or chunked, read on demand): try to read the rest, like async_read.
      while (!ec && !parser.is_done() && !rest.empty()) {
        used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
        rest.remove_prefix(used);
        if (used == 0 && !ec) break;
      }
      if (ec == bhttp::error::need_more || (!ec && !parser.is_done())) return 0;  // waits
      if (ec) return CheckParseError(ec);
    }
    bool keep_alive = parser.get().keep_alive();
    http::Request request = transport::Translate(parser.release(), peer, false, app.proxies());
    Check(http::IsAcceptableRequestId(request.request_id), "a request without a usable id");
    http::Response response = app.Handle(request);
    CheckResponse(response);
    if (!keep_alive) break;
  }
  return 0;
}
