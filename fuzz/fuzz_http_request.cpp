// libFuzzer target: whole HTTP requests, in memory, through the server's request path: Beast's
// request parser with the server's limits, the translation to latchkey's http::Request (as
// http/server.cpp's Translate does it; written out here so the server stays untouched), then
// the real router (api/routes.h) with its origin and CSRF guards, the fast handler and the
// handler, over real services on SQLite (support/fuzz_app.h).
//
// Input: bytes as a client would send them on one keep-alive connection; up to kMaxRequests
// requests are read from it, one after another. These placeholders are replaced first, so the
// fuzzer reaches what needs a session or a CSRF token:
//   @SESSION@  a session cookie value of a live session
//   @BINDING@  a CSRF binding cookie value;  @TOKEN@  a CSRF token issued for it
// Invariants (a violation aborts: a crash): no request makes a 5xx answer or an escaping
// exception (a client's mistake is a 4xx); an answer's status is 200-499; no header name or
// value of an answer holds CR, LF or NUL (no response splitting); every answer has a
// Content-Type when it has a body. Beast's own parse errors are answered by the server with
// 400/413/431 (they never reach the router) and are accepted here as such.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/request.h"
#include "support/fuzz_app.h"
#include "support/fuzz_keys.h"

namespace {

using latchkey::fuzz::Check;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace http = latchkey::http;

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

http::Method ToMethod(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get:
      return http::Method::kGet;
    case bhttp::verb::head:
      return http::Method::kHead;
    case bhttp::verb::post:
      return http::Method::kPost;
    case bhttp::verb::put:
      return http::Method::kPut;
    case bhttp::verb::patch:
      return http::Method::kPatch;
    case bhttp::verb::delete_:
      return http::Method::kDelete;
    case bhttp::verb::options:
      return http::Method::kOptions;
    default:
      return http::Method::kOther;
  }
}

void AppendListValue(std::string& list, std::string_view value) {
  if (!list.empty()) list += ", ";
  list += value;
}

// http/server.cpp's Translate for a connection from a trusted proxy (FuzzApp::kPeer) without
// TLS: the same header handling, the same rules for repeated Host and Origin.
http::Request Translate(bhttp::request<bhttp::string_body>&& in,
                        const http::TrustedProxies& proxies) {
  http::Request r;
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
        }
        break;
    }
  }
  if (hosts > 1) r.host.clear();
  if (origins > 1) r.origin = std::string();
  r.body = std::move(in.body());
  http::TrustedProxies::Client client =
      proxies.Resolve(latchkey::fuzz::FuzzApp::kPeer, r.x_forwarded_for, r.x_forwarded_proto);
  r.client_ip = std::move(client.ip);
  r.tls = client.https;
  return r;
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

  beast::string_view rest(wire);
  for (int i = 0; i < kMaxRequests && !rest.empty(); ++i) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kBodyLimit);
    parser.eager(true);
    beast::error_code ec;
    std::size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    // Without more input a real connection would wait (then time out): nothing to answer.
    if (ec == bhttp::error::need_more) return 0;
    if (ec) return 0;  // the server answers 400/413/431 itself and closes
    rest.remove_prefix(used);
    if (!parser.is_done()) {
      // Body not complete (or chunked, read on demand): try to read the rest, like async_read.
      while (!ec && !parser.is_done() && !rest.empty()) {
        used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
        rest.remove_prefix(used);
        if (used == 0 && !ec) break;
      }
      if (ec || !parser.is_done()) return 0;
    }
    bool keep_alive = parser.get().keep_alive();
    http::Request request = Translate(parser.release(), app.proxies());
    http::Response response = app.Handle(request);
    CheckResponse(response);
    if (!keep_alive) break;
  }
  return 0;
}
