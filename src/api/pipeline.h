// The request pipeline: every step that runs before a handler, in order, for every request
// of the main listener (http::Service; the transport calls Begin on the I/O thread).
//
//   done by the transport when the request is read (http/transport/message.cpp, Translate):
//     1. request id      X-Request-Id kept when acceptable, else made (http/request_id.h)
//     2. client address  the peer, or X-Forwarded-For through a trusted proxy
//                        (http/trusted_proxies.h)
//   done here, in this order:
//     3. origin policy   state-changing /api requests from another origin: 403
//                        (http/origin_policy.h)
//     4. CSRF guard      state-changing /api requests without a valid X-CSRF-Token: 403
//                        (session/csrf.h). Steps 3 and 4 run before routing, so an unknown
//                        or wrong-method state-changing API call needs them too (the API's shape
//                        cannot be probed cross-site; OWASP CSRF Prevention Cheat Sheet).
//     5. route           404 / 405, or no route: the page and assets (api/page_api.h);
//                        a path that normalises under an --upstream prefix (Latchkey's own
//                        routes win) takes api/proxy_step.h instead of 5-7: origin and CSRF
//                        for every method but GET/HEAD/OPTIONS, the session as in 6, 401 off
//                        the public paths, then the transport streams it upstream
//                        (http/transport/forward.h). Forwards() tells the transport before
//                        the body is read.
//     6. session         the session cookie verified once (api/session_cookies.h), the cache
//                        probed once on this thread, the store read once on a miss, on the
//                        route's pool (session/session_resolver.h); a route that needs a
//                        session answers 401 without one. Hashing routes resolve on their pool,
//                        when their work starts (it may have queued behind other hashes).
//                        A live session that carries restrictions (session/principal.h) gets
//                        the 403 of the first one the route does not admit
//                        (Endpoint::admits; after the 409 of CheckExpectedUser).
//     7. handler         with the request and its resolved session (Context), on the route's
//                        pool; a route of the inline pool whose session needs the store runs
//                        on the store pool.
// Thread-safety: immutable after construction; Begin from any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/page_api.h"
#include "api/proxy_step.h"
#include "api/session_cookies.h"
#include "http/origin_policy.h"
#include "http/service.h"
#include "session/principal.h"
#include "session/session_resolver.h"

namespace latchkey::api {

// What a route needs of the request's session.
enum class SessionUse {
  kNone,      // not resolved (the cookie is not even read)
  kOptional,  // resolved when a cookie is sent; the handler decides
  kRequired,  // a live session, or 401 before the handler runs
};

// A request with its resolved session, as handlers see it.
struct Context {
  const http::Request& request;
  const session::Resolution& session;

  // The caller; only for routes with SessionUse::kRequired (or after checking session.live()).
  // A handler that calls it on a route without one is a bug: it throws (std::bad_optional_access)
  // and the request is answered 500, never undefined behaviour.
  const session::Principal& principal() const { return session.principal.value(); }
  // The caller when the session is live, else null (SessionUse::kOptional).
  const session::Principal* principal_if_live() const {
    return session.principal ? &*session.principal : nullptr;
  }
};

using EndpointHandler = std::function<http::Response(const Context&)>;

// The 401 of a request that needs a session: session_ended when a signed cookie's session
// ended (the client says so and offers to log in again), unauthenticated otherwise. A
// session_ended answer also deletes the session cookie (`cookies`, for the request's scheme):
// the browser stops sending a token that can never work again (OWASP Session Management
// Cheat Sheet, "Session Expiration").
http::Response NotLoggedIn(const session::Resolution& session, const SessionCookies& cookies,
                           const http::Request& request);

// The page's view of who is signed in, checked before any request with a live session acts
// or answers: when the request says `X-Latchkey-Expect-User: <user id>` (decimal) and its
// live session belongs to another user, 409 user_mismatch, so a tab still showing user A
// never changes anything of user B after B signed in elsewhere in the browser, nor shows B's
// sessions, activity or application data under A's name (reads included: most answers do not
// name their user, so the client could not tell). nullopt: no header, no live session (the
// route decides), or the same user. A header that is not a user id: 400 invalid_input.
std::optional<http::Response> CheckExpectedUser(const http::Request& request,
                                                const session::Resolution& session);

// The 403 of a live session's first restriction that `admitted` does not hold (e.g.
// email_unverified); nullopt when none, or no live session.
std::optional<http::Response> CheckRestrictions(const session::Resolution& session,
                                                session::Restrictions admitted);

// Step 4: nullopt when X-CSRF-Token verifies against this browser's CSRF binding cookie
// (session/csrf.h; OWASP CSRF Prevention Cheat Sheet, signed double-submit); else 403.
std::optional<http::Response> CheckCsrf(const http::Request& request,
                                        const session::CsrfTokens& csrf);

struct Endpoint {
  http::Method method;
  std::string path;  // as http::Route::path
  http::Pool pool;
  SessionUse session;
  // The restrictions a live session may carry here (session/principal.h); any other: 403 before
  // the handler. Only routes a restricted session needs admit one: to see itself, lift the
  // restriction, or leave (docs/ARCHITECTURE.md, "Restricted sessions").
  session::Restrictions admits;
  EndpointHandler handler;
  // The handler applies CheckExpectedUser itself (forward auth: 403, which nginx's
  // auth_request passes on, for the 409 of the other routes); false: the pipeline does.
  bool handler_checks_expected_user = false;
};

class Pipeline final : public http::Service {
 public:
  struct Steps {
    const http::OriginPolicy& origin;
    const session::CsrfTokens& csrf;
    const SessionCookies& cookies;
    session::SessionResolver& sessions;
    const PageApi& fallback;  // requests no route matched
    // The reverse proxy's table (http/proxy/upstreams.h); null or empty: none. Requests it
    // takes go through api/proxy_step.h in place of steps 5-7.
    const http::proxy::UpstreamTable* upstreams = nullptr;
    // Signs X-Latchkey-Assertion for upstreams (api/identity_headers.h); null: none.
    assertion::AssertionIssuer* assertions = nullptr;
  };

  Pipeline(Steps steps, std::vector<Endpoint> endpoints);

  http::Dispatch Begin(http::Request& request) override;
  bool Forwards(std::string_view path) const override;
  const http::Router& router() const override { return router_; }

  // Begin and the work it returns, run to the answer on the calling thread, with the common
  // headers applied (the fuzz targets and tests; the server runs the work on its pools).
  http::Response Handle(http::Request& request);

 private:
  // Steps 3 and 4: a 403 to send, or nullopt.
  std::optional<http::Response> Guard(const http::Request& request) const;
  // Steps 6 (blocking part) and 7.
  http::Response Run(const Endpoint& endpoint, const http::Request& request,
                     const std::optional<session::TokenHash>& token_hash) const;
  // Step 7, or the 401 of a route that needs a session, or the 409 of CheckExpectedUser.
  http::Response Call(const Endpoint& endpoint, const http::Request& request,
                      const session::Resolution& session) const;

  Steps steps_;
  std::optional<ProxyStep> proxy_;  // set when there are upstreams
  int first_upstream_route_ = -1;   // router_ index of upstream 0's label route
  http::Router router_;
  std::vector<Endpoint> endpoints_;  // index = route index
};

}  // namespace latchkey::api
