// Beast <-> http::Request / http::Response: the one translation of HTTP messages, linked by
// the connection loop (connection.cpp) and by the whole-request fuzz target
// (fuzz/fuzz_http_request.cpp), so that what is fuzzed is what is served.
//
// Translate copies what handlers need out of Beast's message. Host and Origin mean something
// only when sent once: repeated, they become unusable and the checks that read them fail
// closed. X-Forwarded-* are believed only from a trusted proxy (http/trusted_proxies.h).
// X-Request-Id is the client's when acceptable, else a new one (http/request_id.h).
// ToBeast fills a Beast response in place, with the common headers of the answer.
// ParseError names the answer to a request Beast could not read (400, 413, 431), or none.
// Beast's message headers: included only by the transport units that read or write messages
// and by the fuzz target; the rest of the code sees http/request.h only.
// Thread-safety: pure functions of their arguments (NewRequestId has a per-thread generator).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/system/error_code.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/errc.h"
#include "http/request.h"
#include "http/security_headers.h"
#include "http/trusted_proxies.h"

namespace latchkey::http::transport {

namespace bhttp = boost::beast::http;

using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

// The header every response of the main listener carries.
inline constexpr std::string_view kRequestIdHeader = "X-Request-Id";

Method ToMethod(bhttp::verb verb);

// A request target up to '?' (still percent-encoded): Request::path.
std::string PathOf(std::string_view target);

// The connection's peer as the proxy rule sees it, worked out once per connection.
struct Peer {
  std::string address;            // remote_endpoint() as text
  TrustedProxies::Client direct;  // Resolve() without forwarding headers
  bool trusted = false;           // a trusted proxy: forwarding headers are read per request
};

// The peer at `address` under `proxies`.
Peer MakePeer(std::string address, const TrustedProxies& proxies);

// The handlers' view of `in` (its body is moved out), from `peer`; `tls`: the connection is
// TLS. path_params stay empty (the router fills them).
Request Translate(BeastRequest&& in, const Peer& peer, bool tls, const TrustedProxies& proxies);

// The same from the header block alone (the body empty): a request the reverse proxy streams
// (http/transport/forward.h) is decided on before its body is read.
Request TranslateHeader(const bhttp::request_header<>& in, const Peer& peer, bool tls,
                        const TrustedProxies& proxies);

// Fills `out` in place (not returned by value: GCC 12 miscompiles some by-value temporaries
// that live across co_await in coroutine frames).
// `common`: Router::CommonHeaders of the request and `in`, inserted without copies of ours.
// `head`: a HEAD request: Content-Length of the body, but no body.
void ToBeast(Response&& in, const StaticHeaders& common, unsigned version, bool keep_alive,
             bool head, BeastResponse& out);

// The error to answer a failed read with: body over the limit (413), header block over the
// limit (431), not HTTP/1.1 (400); nullopt for what is not worth an answer (timeout, EOF,
// reset, a message cut short): the connection just closes.
std::optional<Error> ParseError(const boost::system::error_code& ec);

}  // namespace latchkey::http::transport
