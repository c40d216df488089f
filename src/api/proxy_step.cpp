#include "api/proxy_step.h"

#include <memory>
#include <utility>

#include "api/cookie_policy.h"
#include "api/identity_headers.h"
#include "api/pipeline.h"
#include "http/error_mapping.h"
#include "http/proxy/path.h"

namespace latchkey::api {
namespace {

// Lets the plan through, or says why not (401 off the public paths, 409 user_mismatch, 403 of
// a restricted session off the public paths). `audience`: the upstream's prefix, the
// assertion's aud. A restricted session never names its user to the upstream: on a public path
// it goes as no session (what anyone may see), elsewhere it gets the restriction's 403.
std::optional<http::Response> Decide(http::proxy::ForwardPlan& plan, const http::Request& request,
                                     const session::Resolution& session, bool is_public,
                                     const ProxyStep::Steps& steps, std::string_view audience) {
  bool restricted = session.live() && !session.principal->restrictions().empty();
  if (restricted) {
    if (auto refused = CheckExpectedUser(request, session)) return refused;
    if (!is_public) return CheckRestrictions(session, {});
  } else if (session.live()) {
    if (auto refused = CheckExpectedUser(request, session)) return refused;
    plan.rewrite.identity = IdentityHeaders(*session.principal, steps.assertions, audience);
  } else if (!is_public) {
    return NotLoggedIn(session, steps.cookies, request);
  }
  plan.approved = true;
  return std::nullopt;
}

}  // namespace

bool NeedsCsrf(http::Method method) {
  return method != http::Method::kGet && method != http::Method::kHead &&
         method != http::Method::kOptions;
}

http::Method MethodNamed(std::string_view name) {
  using http::Method;
  if (name == "GET") return Method::kGet;
  if (name == "HEAD") return Method::kHead;
  if (name == "POST") return Method::kPost;
  if (name == "PUT") return Method::kPut;
  if (name == "PATCH") return Method::kPatch;
  if (name == "DELETE") return Method::kDelete;
  if (name == "OPTIONS") return Method::kOptions;
  return Method::kOther;
}

bool ProxyStep::Forwards(std::string_view path) const {
  if (steps_.table.empty()) return false;
  auto normal = http::proxy::NormalizePath(path);
  return !normal || steps_.table.Match(*normal).has_value();
}

http::Dispatch ProxyStep::Begin(http::Request& request, int first_route) const {
  http::Dispatch d;
  auto normal = http::proxy::NormalizePath(request.path);
  auto index = normal ? steps_.table.Match(*normal) : std::nullopt;
  if (!index) {
    d.response = http::ErrorResponse(
        MakeError(Errc::kMalformedRequest, "The request path is not acceptable"));
    return d;
  }
  d.route = first_route + static_cast<int>(*index);
  auto plan = std::make_shared<http::proxy::ForwardPlan>();
  plan->upstream = *index;
  plan->target = *normal + request.query;
  plan->rewrite.drop_cookies = {kSessionCookie, kCsrfCookie, kSecureSessionCookie,
                                kSecureCsrfCookie};
  d.forward = plan;
  if (NeedsCsrf(request.method)) {
    // Origin first, as for /api (api/pipeline.cpp Guard): cross-site is refused whatever token.
    if (auto refused = steps_.origin.Check(request)) {
      d.response = std::move(refused);
      return d;
    }
    if (auto refused = CheckCsrf(request, steps_.csrf)) {
      d.response = std::move(refused);
      return d;
    }
  }
  bool is_public = steps_.table.IsPublic(*normal);
  std::string_view audience = steps_.table.upstreams()[*index].prefix;  // lives as the table
  std::optional<session::TokenHash> token_hash = steps_.cookies.TokenHash(request);
  if (!token_hash) {
    d.response = Decide(*plan, request, session::Resolution::None(), is_public, steps_, audience);
    return d;
  }
  if (auto resolved = steps_.sessions.ResolveInMemory(*token_hash)) {
    d.response = Decide(*plan, request, *resolved, is_public, steps_, audience);
    return d;
  }
  d.pool = http::Pool::kStore;
  d.work = [this, plan, &request, hash = std::move(*token_hash), is_public, audience]() {
    auto resolved = steps_.sessions.Resolve(hash);
    if (!resolved) return http::ErrorResponse(resolved.error());
    auto refused = Decide(*plan, request, *resolved, is_public, steps_, audience);
    return refused ? std::move(*refused) : http::Response{};
  };
  return d;
}

}  // namespace latchkey::api
