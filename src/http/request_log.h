// What the connection loop records about each answered request: the metrics (requests by
// route, method and status; the duration histogram; metrics/registry.h) and, at info level,
// one log line (base/log_fields.h):
//   request method=GET route=/api/auth status=200 duration_ms=0.031 request_id=... ip=...
//           bytes=52
// The route is the router's pattern, never the raw path (bounded; no user data in it), or
// "other" (an API path no route matched, a refused or unparsable request), "assets" or "page".
// Nothing here reads a cookie, a token or a body.
// Cost: no lock, no allocation, no formatting unless info is enabled.
// Thread-safety: from any thread (the registry shards per thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/request.h"
#include "http/router.h"
#include "metrics/registry.h"

namespace latchkey::http {

// `route` value for a request that never reached the router (400/413/431 from the parser,
// 503 at the connection cap): counted and logged as route "other".
inline constexpr int kUnroutedRequest = -2;

// The route label: routes()[route].path when route >= 0, else "other", "assets" or "page"
// by the path.
std::string_view RouteLabel(const Router& router, int route, std::string_view path);

// Counts the request in `metrics` (when not null) and logs its line at info.
// route: Dispatch::route or kUnroutedRequest; nanos: header read to end of write;
// bytes: response body bytes sent.
void RecordRequest(metrics::Registry* metrics, const Router& router, const Request& request,
                   int route, int status, std::uint64_t nanos, std::size_t bytes);

// A request the reverse proxy sent upstream (http/transport/forward.h): its line also says
//   upstream_status=200 upstream_ms=1.234
// (the upstream's status, and the time from sending the request to its response headers).
struct UpstreamTiming {
  int status = 0;
  std::uint64_t nanos = 0;
};
void RecordRequest(metrics::Registry* metrics, const Router& router, const Request& request,
                   int route, int status, std::uint64_t nanos, std::size_t bytes,
                   UpstreamTiming upstream);

}  // namespace latchkey::http
