#include "http/router.h"

#include "http/error_mapping.h"
#include "http/security_headers.h"

namespace latchkey::http {
namespace {

// A GET route answers HEAD too (RFC 9110 9.3.2: the same answer without content; the
// transport drops the body and keeps its length).
bool Serves(Method route, Method request) {
  return route == request || (route == Method::kGet && request == Method::kHead);
}

}  // namespace

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

RouteMatch Router::Match(const Request& request) const {
  RouteMatch match;
  bool path_known = false;
  for (const Route& route : routes_) {
    match.params.clear();
    if (!MatchPath(route.path, request.path, match.params)) continue;
    path_known = true;
    if (!Serves(route.method, request.method)) continue;
    match.route = static_cast<int>(&route - routes_.data());
    return match;
  }
  match.params.clear();
  if (path_known) {
    Response r = ErrorResponse(MakeError(Errc::kMethodNotAllowed));
    std::string allow;
    std::vector<std::string> ignored;
    auto add = [&allow](Method m) {
      static constexpr const char* kNames[] = {"GET",   "HEAD",   "POST",    "PUT",
                                               "PATCH", "DELETE", "OPTIONS", "OTHER"};
      std::string_view name = kNames[static_cast<int>(m)];
      if (allow.find(name) != std::string::npos) return;  // no name is inside another
      if (!allow.empty()) allow += ", ";
      allow += name;
    };
    for (const Route& route : routes_) {
      if (!MatchPath(route.path, request.path, ignored)) continue;
      add(route.method);
      if (route.method == Method::kGet) add(Method::kHead);
    }
    r.AddHeader("Allow", allow);
    match.refusal = std::move(r);
  }
  return match;
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
