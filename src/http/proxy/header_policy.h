// What the reverse proxy lets through in each direction, and what it states itself (issue 17
// section 1). Pure functions over header lists: the transport (http/transport/forward.cpp)
// passes views of Beast's parsed fields and inserts what the sink receives into the message it
// builds, so no field is copied on the way; the HeaderList forms collect the same output.
//
// Towards the upstream, in this order:
//   1. dropped: hop-by-hop fields (RFC 9110 7.6.1: Connection and every field it names,
//      Proxy-Connection, Keep-Alive, TE, Transfer-Encoding, Upgrade; and Trailer), framing
//      (Content-Length: the transport frames the body it streams), Host, Expect,
//      Proxy-Authorization (meant for a proxy: us), every X-Latchkey-* (a client can never forge
//      identity), X-CSRF-Token (Latchkey's, checked here), X-Forwarded-For/-Proto/-Host and
//      Forwarded (stated below instead);
//   2. Cookie without Latchkey's own cookies (the session token and the CSRF binding never
//      leave Latchkey); the application's cookies pass;
//   3. set: Host (the upstream's authority, as nginx's default), the plan's identity headers,
//      X-Forwarded-For (the peer, appended to the client's list only when the peer is a
//      --trusted-proxy), X-Forwarded-Proto and X-Forwarded-Host (the trusted proxy's values
//      when it sent them, else what this connection saw: TLS or not, and Host).
// Towards the client: the upstream's fields without hop-by-hop ones and framing (the transport
// frames what it streams), and without a Set-Cookie for one of Latchkey's cookies (an upstream
// cannot plant or clear the user's session or CSRF binding: session fixation, OWASP Session
// Management Cheat Sheet).
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace latchkey::http::proxy {

using HeaderList = std::vector<std::pair<std::string, std::string>>;
// A field as the transport holds it: views into a parsed message.
using HeaderView = std::pair<std::string_view, std::string_view>;
// Fields the proxy states itself: the names are constants (static storage), the values owned.
using StatedHeaders = std::vector<std::pair<std::string_view, std::string>>;
// Receives each field to send, in order; the views are valid during the call only.
using HeaderSink = std::function<void(std::string_view name, std::string_view value)>;

// Who sent the request, as this connection saw it.
struct ClientView {
  std::string peer_ip;        // the TCP peer
  bool peer_trusted = false;  // the peer is a --trusted-proxy: its X-Forwarded-* are kept
  bool tls = false;           // the connection to Latchkey is TLS
};

// What the access decision adds (http/proxy/plan.h).
struct RequestRewrite {
  std::vector<std::string_view> drop_cookies;  // cookie names never passed on (static storage)
  StatedHeaders identity;                      // X-Latchkey-* headers to set
  std::string upstream_authority;              // Host towards the upstream
};

// The header fields to send upstream for a request that arrived with `in`, given to `out`.
void UpstreamRequestHeaders(std::span<const HeaderView> in, const ClientView& client,
                            const RequestRewrite& rewrite, const HeaderSink& out);
HeaderList UpstreamRequestHeaders(const HeaderList& in, const ClientView& client,
                                  const RequestRewrite& rewrite);

// The header fields to send the client for an upstream response that arrived with `in`, given
// to `out`; `own_cookies`: the names of Latchkey's cookies (RequestRewrite::drop_cookies).
void ClientResponseHeaders(std::span<const HeaderView> in,
                           std::span<const std::string_view> own_cookies, const HeaderSink& out);
HeaderList ClientResponseHeaders(const HeaderList& in,
                                 const std::vector<std::string_view>& own_cookies);

// `cookie` (a Cookie header's value) without the pairs named in `drop`; empty when none is left.
std::string StripCookies(std::string_view cookie, std::span<const std::string_view> drop);

// True when `name` starts with "X-Latchkey-" (any case).
bool IsLatchkeyHeader(std::string_view name);

}  // namespace latchkey::http::proxy
