#include "http/router.h"

#include "http/error_mapping.h"
#include "http/security_headers.h"

namespace latchkey::http {

bool Router::MatchPath(std::string_view pattern, std::string_view path,
                       std::vector<std::string>& params) {
  std::size_t first_param = params.size();
  while (!pattern.empty() && !path.empty()) {
    std::size_t pe = pattern.find('/', 1);
    std::size_t qe = path.find('/', 1);
    std::string_view pseg = pattern.substr(0, pe);
    std::string_view qseg = path.substr(0, qe);
    if (pseg.size() > 3 && pseg[1] == '{' && pseg.back() == '}') {
      if (qseg.size() < 2) break;  // "{name}" needs a non-empty segment
      params.emplace_back(qseg.substr(1));
    } else if (pseg != qseg) {
      break;
    }
    pattern = pe == std::string_view::npos ? std::string_view() : pattern.substr(pe);
    path = qe == std::string_view::npos ? std::string_view() : path.substr(qe);
  }
  if (pattern.empty() && path.empty()) return true;
  params.resize(first_param);
  return false;
}

bool Router::IsApiPath(std::string_view path) {
  return path == "/api" || path.rfind("/api/", 0) == 0;
}

Dispatch Router::Resolve(const Request& request) const {
  // Before routing: an unknown or wrong-method state-changing API call also needs the token,
  // so the API's shape cannot be probed cross-site (OWASP CSRF Prevention Cheat Sheet).
  // The Origin check comes first: a cross-site request is refused whatever token it carries
  // (defence in depth, OWASP CSRF Prevention Cheat Sheet "Verifying Origin").
  if (IsStateChanging(request.method) && IsApiPath(request.path)) {
    for (const auto* guard : {&origin_guard_, &csrf_guard_}) {
      if (!*guard) continue;
      if (auto rejected = (*guard)(request)) {
        return Dispatch{nullptr, Pool::kInline, nullptr, std::move(rejected), {}};
      }
    }
  }
  bool path_known = false;
  std::vector<std::string> params;
  for (const Route& route : routes_) {
    params.clear();
    if (!MatchPath(route.path, request.path, params)) continue;
    path_known = true;
    if (route.method != request.method) continue;
    const FastHandler* fast = route.fast ? &route.fast : nullptr;
    int index = static_cast<int>(&route - routes_.data());
    return Dispatch{&route.handler, route.pool, fast, std::nullopt, std::move(params), index};
  }
  if (path_known) {
    Response r = ErrorResponse(MakeError(Errc::kMethodNotAllowed, "Method not allowed"));
    std::string allow;
    for (const Route& route : routes_) {
      if (!MatchPath(route.path, request.path, params)) continue;
      static constexpr const char* kNames[] = {"GET",   "HEAD",   "POST",    "PUT",
                                               "PATCH", "DELETE", "OPTIONS", "OTHER"};
      if (!allow.empty()) allow += ", ";
      allow += kNames[static_cast<int>(route.method)];
    }
    r.AddHeader("Allow", allow);
    return Dispatch{nullptr, Pool::kInline, nullptr, std::move(r), {}};
  }
  if (fallback_) return Dispatch{&fallback_, Pool::kInline, nullptr, std::nullopt, {}};
  return Dispatch{
      nullptr, Pool::kInline, nullptr, ErrorResponse(MakeError(Errc::kNotFound, "Not found")), {}};
}

StaticHeaders Router::CommonHeaders(const Request& request, const Response& response) {
  StaticHeaders out;
  // CSP, nosniff, Referrer-Policy, X-Frame-Options, HSTS over TLS (ASVS 14.4).
  AddSecurityHeaders(request, out);
  // API answers carry user data and tokens: never cached by the browser or a proxy (ASVS 8.2.1).
  // Every JSON answer (errors from the connection layer and /healthz too) is treated alike.
  bool json = response.content_type.rfind("application/json", 0) == 0;
  if (IsApiPath(request.path) || json) {
    bool has_cache_control = false;
    for (const auto& [name, value] : response.headers) has_cache_control |= name == "Cache-Control";
    if (!has_cache_control) out.Add("Cache-Control", "no-store");
  }
  return out;
}

void Router::ApplyCommonHeaders(const Request& request, Response& response) {
  StaticHeaders headers = CommonHeaders(request, response);
  for (const StaticHeader& h : headers)
    response.AddHeader(std::string(h.name), std::string(h.value));
}

}  // namespace latchkey::http
