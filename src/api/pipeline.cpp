#include "api/pipeline.h"

#include <charconv>
#include <cstdint>
#include <utility>

#include "http/cookies.h"
#include "http/error_mapping.h"

namespace latchkey::api {

http::Response NotLoggedIn(const session::Resolution& session, const SessionCookies& cookies,
                           const http::Request& request) {
  bool ended = session.state == session::Resolution::State::kEnded;
  http::Response r =
      http::ErrorResponse(MakeError(ended ? Errc::kSessionEnded : Errc::kUnauthenticated));
  if (ended) cookies.Clear(r, request.tls);
  return r;
}

std::optional<http::Response> CheckExpectedUser(const http::Request& request,
                                                const session::Resolution& session) {
  if (request.expect_user.empty() || !session.live()) return std::nullopt;
  std::int64_t expected = 0;
  const char* first = request.expect_user.data();
  const char* last = first + request.expect_user.size();
  auto [end, ec] = std::from_chars(first, last, expected);
  if (ec != std::errc() || end != last || expected <= 0) {
    return http::ErrorResponse(
        MakeError(Errc::kInvalidInput, "X-Latchkey-Expect-User must be a user id (decimal)"));
  }
  if (session.principal->user_id().value() == expected) return std::nullopt;
  return http::ErrorResponse(MakeError(Errc::kUserMismatch));
}

std::optional<http::Response> CheckRestrictions(const session::Resolution& session,
                                                session::Restrictions admitted) {
  if (!session.live()) return std::nullopt;
  session::Restrictions refused = session.principal->restrictions().Except(admitted);
  if (refused.empty()) return std::nullopt;
  // Each restriction's refusal, most pressing first (a pending second factor, issue 20, will
  // come before this one: the address is the account's business once the login is complete).
  // kEmailUnverified is the only one so far.
  return http::ErrorResponse(MakeError(Errc::kEmailUnverified));
}

std::optional<http::Response> CheckCsrf(const http::Request& request,
                                        const session::CsrfTokens& csrf) {
  auto binding = http::FindCookie(request.cookie, CsrfCookieName(request.tls));
  if (binding && csrf.Verify(*binding, request.csrf_token)) return std::nullopt;
  return http::ErrorResponse(MakeError(Errc::kCsrfRejected));
}

Pipeline::Pipeline(Steps steps, std::vector<Endpoint> endpoints)
    : steps_(steps), endpoints_(std::move(endpoints)) {
  for (const Endpoint& e : endpoints_) router_.Add({e.method, e.path});
  if (steps_.upstreams && !steps_.upstreams->empty()) {
    proxy_.emplace(ProxyStep::Steps{*steps_.upstreams, steps_.origin, steps_.csrf, steps_.cookies,
                                    steps_.sessions, steps_.assertions});
    // One label route per upstream, for the metrics and request log ("upstream /api/notes"):
    // it never matches a request path (those start with '/').
    first_upstream_route_ = static_cast<int>(router_.routes().size());
    for (const auto& up : steps_.upstreams->upstreams()) {
      router_.Add({http::Method::kOther, "upstream " + up.prefix});
    }
  }
}

bool Pipeline::Forwards(std::string_view path) const { return proxy_ && proxy_->Forwards(path); }

std::optional<http::Response> Pipeline::Guard(const http::Request& request) const {
  if (!http::IsStateChanging(request.method) || !http::Router::IsApiPath(request.path)) {
    return std::nullopt;
  }
  // The Origin check comes first: a cross-site request is refused whatever token it carries
  // (defence in depth, OWASP CSRF Prevention Cheat Sheet "Verifying Origin").
  if (auto refused = steps_.origin.Check(request)) return refused;
  return CheckCsrf(request, steps_.csrf);
}

http::Dispatch Pipeline::Begin(http::Request& request) {
  if (proxy_ && proxy_->Forwards(request.path))
    return proxy_->Begin(request, first_upstream_route_);
  http::Dispatch d;
  if (auto refused = Guard(request)) {
    d.response = std::move(refused);
    return d;
  }
  http::RouteMatch match = router_.Match(request);
  if (match.route < 0 || static_cast<std::size_t>(match.route) >= endpoints_.size()) {
    d.response = match.refusal ? std::move(*match.refusal) : steps_.fallback.Handle(request);
    return d;
  }
  d.route = match.route;
  request.path_params = std::move(match.params);
  const Endpoint& endpoint = endpoints_[static_cast<std::size_t>(match.route)];

  session::Resolution session;
  std::optional<session::TokenHash> token_hash;
  if (endpoint.session != SessionUse::kNone) token_hash = steps_.cookies.TokenHash(request);
  // A hashing route's work can wait in its pool's queue for seconds under login load: its
  // session is resolved when the work starts, not before the wait, so a logout or revoke that
  // lands meanwhile is seen (one store read, on a route that spends ~50 ms hashing anyway).
  if (token_hash && endpoint.pool != http::Pool::kHashing) {
    if (auto resolved = steps_.sessions.ResolveInMemory(*token_hash)) {
      session = std::move(*resolved);
      token_hash.reset();  // resolved: nothing left for the pool
    }
  }
  if (!token_hash && endpoint.pool == http::Pool::kInline) {
    d.response = Call(endpoint, request, session);
    return d;
  }
  if (!token_hash && !session.live() && endpoint.session == SessionUse::kRequired) {
    d.response = NotLoggedIn(session, steps_.cookies, request);  // no pool hop: known now
    return d;
  }
  d.pool = endpoint.pool == http::Pool::kInline ? http::Pool::kStore : endpoint.pool;
  d.work = [this, &endpoint, &request, token_hash = std::move(token_hash),
            session = std::move(session)]() {
    if (!token_hash) return Call(endpoint, request, session);
    return Run(endpoint, request, token_hash);
  };
  return d;
}

http::Response Pipeline::Run(const Endpoint& endpoint, const http::Request& request,
                             const std::optional<session::TokenHash>& token_hash) const {
  auto resolved = steps_.sessions.Resolve(*token_hash);
  if (!resolved) return http::ErrorResponse(resolved.error());
  return Call(endpoint, request, *resolved);
}

http::Response Pipeline::Call(const Endpoint& endpoint, const http::Request& request,
                              const session::Resolution& session) const {
  if (endpoint.session == SessionUse::kRequired && !session.live()) {
    return NotLoggedIn(session, steps_.cookies, request);
  }
  if (!endpoint.handler_checks_expected_user) {
    if (auto refused = CheckExpectedUser(request, session)) return std::move(*refused);
  }
  if (auto refused = CheckRestrictions(session, endpoint.admits)) return std::move(*refused);
  return endpoint.handler(Context{request, session});
}

http::Response Pipeline::Handle(http::Request& request) {
  http::Dispatch d = Begin(request);
  http::Response response = d.response ? std::move(*d.response) : d.work();
  http::Router::ApplyCommonHeaders(request, response);
  return response;
}

}  // namespace latchkey::api
