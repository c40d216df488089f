#include "http/router.h"

#include "http/error_mapping.h"

namespace latchkey::http {

Dispatch Router::Resolve(const Request& request) const {
  bool path_known = false;
  for (const Route& route : routes_) {
    if (route.path != request.path) continue;
    path_known = true;
    if (route.method != request.method) continue;
    if (route.csrf && csrf_guard_) {
      if (auto rejected = csrf_guard_(request)) return Dispatch{nullptr, Pool::kInline, rejected};
    }
    return Dispatch{&route.handler, route.pool, std::nullopt};
  }
  if (path_known) {
    Response r = ErrorResponse(MakeError(Errc::kMethodNotAllowed, "Method not allowed"));
    std::string allow;
    for (const Route& route : routes_) {
      if (route.path != request.path) continue;
      static constexpr const char* kNames[] = {"GET",   "HEAD",   "POST",    "PUT",
                                               "PATCH", "DELETE", "OPTIONS", "OTHER"};
      if (!allow.empty()) allow += ", ";
      allow += kNames[static_cast<int>(route.method)];
    }
    r.AddHeader("Allow", allow);
    return Dispatch{nullptr, Pool::kInline, std::move(r)};
  }
  if (fallback_) return Dispatch{&fallback_, Pool::kInline, std::nullopt};
  return Dispatch{nullptr, Pool::kInline, ErrorResponse(MakeError(Errc::kNotFound, "Not found"))};
}

void Router::ApplyCommonHeaders(const Request& request, Response& response) {
  // MIME sniffing could turn a JSON or asset response into script (OWASP ASVS 14.4.4).
  response.AddHeader("X-Content-Type-Options", "nosniff");
  response.AddHeader("Referrer-Policy", "same-origin");
  // No framing: clickjacking on the login form (ASVS 14.4.7).
  response.AddHeader("X-Frame-Options", "DENY");
  // API answers carry user data and tokens: never cached by the browser or a proxy (ASVS 8.2.1).
  if (request.path.rfind("/api/", 0) == 0 || request.path == "/api") {
    response.AddHeader("Cache-Control", "no-store");
  }
}

}  // namespace latchkey::http
