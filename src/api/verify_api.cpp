#include "api/verify_api.h"

#include <utility>

#include "api/identity_headers.h"
#include "api/proxy_step.h"
#include "api/session_cookies.h"
#include "http/error_mapping.h"
#include "http/proxy/path.h"

namespace latchkey::api {
namespace {

// A refusal with its code also in a header: nginx's auth_request drops the body of the
// answer, so the proxy passes the code on with `auth_request_set` (docs/INTEGRATION.md).
http::Response Refused(http::Response r, Errc code) {
  r.AddHeader("X-Latchkey-Error-Code", std::string(InfoOf(code).code));
  return r;
}

// Whether the original request may change state. A trusted proxy that names the URI but not
// the method is misconfigured (nginx without `X-Original-Method`): it is checked as one that
// may (fail closed), so a missing line never turns the CSRF check off.
bool MayChangeState(const http::Request& request) {
  if (request.forwarded_method.empty()) return !request.forwarded_uri.empty();
  return NeedsCsrf(MethodNamed(request.forwarded_method));
}

}  // namespace

http::Response VerifyApi::Verify(const Context& c) {
  const http::Request& request = c.request;
  if (MayChangeState(request)) {
    if (auto refused = origin_.Check(request)) {
      return Refused(std::move(*refused), Errc::kOriginRejected);
    }
    if (auto refused = CheckCsrf(request, csrf_)) {
      return Refused(std::move(*refused), Errc::kCsrfRejected);
    }
  }
  if (auto refused = CheckExpectedUser(request, c.session)) {
    Errc code = refused->status == 409 ? Errc::kUserMismatch : Errc::kInvalidInput;
    refused->status = 403;  // see the header: nginx's auth_request passes only 401 and 403
    return Refused(std::move(*refused), code);
  }
  const session::Principal* p = c.principal_if_live();
  std::string_view uri = request.forwarded_uri;
  auto path = http::proxy::NormalizePath(uri.substr(0, uri.find('?')));
  bool is_public = path && table_.IsPublic(*path);
  // A restricted session (session/principal.h) is no user for the app: on a public path it is
  // let through as none, elsewhere it gets the restriction's 403 (as the reverse proxy does).
  if (p != nullptr && !p->restrictions().empty()) {
    if (!is_public) {
      return Refused(std::move(*CheckRestrictions(c.session, {})), Errc::kEmailUnverified);
    }
    p = nullptr;
  }
  if (p != nullptr) {
    http::Response r = http::JsonResponse(200, UserJson(p->user()));  // {"user": {...}}
    std::string_view audience = assertions_ ? std::string_view(assertions_->policy().issuer) : "";
    for (auto& [name, value] : IdentityHeaders(*p, assertions_, audience)) {
      r.AddHeader(std::string(name), std::move(value));
    }
    return r;
  }
  if (is_public) return http::JsonResponse(200, "{\"user\":null}");
  bool ended = c.session.state == session::Resolution::State::kEnded;
  return Refused(NotLoggedIn(c.session, cookies_, request),
                 ended ? Errc::kSessionEnded : Errc::kUnauthenticated);
}

}  // namespace latchkey::api
