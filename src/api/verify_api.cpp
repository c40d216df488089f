#include "api/verify_api.h"

#include "api/identity_headers.h"
#include "api/proxy_step.h"
#include "api/session_cookies.h"
#include "http/error_mapping.h"
#include "http/proxy/path.h"

namespace latchkey::api {

http::Response VerifyApi::Verify(const Context& c) {
  const http::Request& request = c.request;
  if (!request.forwarded_method.empty() && NeedsCsrf(MethodNamed(request.forwarded_method))) {
    if (auto refused = origin_.Check(request)) return std::move(*refused);
    if (auto refused = CheckCsrf(request, csrf_)) return std::move(*refused);
  }
  if (const session::Principal* p = c.principal_if_live()) {
    http::Response r = http::JsonResponse(200, UserJson(p->user()));  // {"user": {...}}
    std::string_view audience = assertions_ ? std::string_view(assertions_->policy().issuer) : "";
    for (auto& [name, value] : IdentityHeaders(*p, assertions_, audience)) {
      r.AddHeader(std::string(name), std::move(value));
    }
    return r;
  }
  std::string_view uri = request.forwarded_uri;
  auto path = http::proxy::NormalizePath(uri.substr(0, uri.find('?')));
  if (path && table_.IsPublic(*path)) return http::JsonResponse(200, "{\"user\":null}");
  return NotLoggedIn(c.session);
}

}  // namespace latchkey::api
