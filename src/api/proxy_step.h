// The pipeline's step for requests that go to an upstream (issue 17 section 1; api/pipeline.h
// calls it in place of the route and handler steps). On the path that
// http/proxy/path.h NormalizePath gives (the same one that is sent upstream):
//   1. the path: refused (400 malformed_request) when it cannot be normalised;
//   2. origin policy and CSRF guard for every method that may change state (POST, PUT, PATCH,
//      DELETE, and any method Latchkey does not know): 403, as for /api/auth, so the
//      application's own API gets CSRF protection without writing any;
//   3. the session, resolved once as for Latchkey's routes (the cache on this thread, the
//      store on the store pool on a miss): a live one adds the identity headers
//      (api/identity_headers.h); without one, 401 (unauthenticated or session_ended), unless
//      the path is under a --public-path.
// What is let through is a Dispatch with `forward` approved (http/proxy/plan.h); the transport
// streams it (http/transport/forward.h).
// Thread-safety: immutable after construction; Begin from any thread.
#pragma once

#include <string_view>

#include "api/session_cookies.h"
#include "assertion/assertion_issuer.h"
#include "http/origin_policy.h"
#include "http/proxy/upstreams.h"
#include "http/service.h"
#include "session/csrf.h"
#include "session/session_resolver.h"

namespace latchkey::api {

class ProxyStep {
 public:
  struct Steps {
    const http::proxy::UpstreamTable& table;
    const http::OriginPolicy& origin;
    const session::CsrfTokens& csrf;
    const SessionCookies& cookies;
    session::SessionResolver& sessions;
    // X-Latchkey-Assertion with aud = the upstream's prefix (api/identity_headers.h); null: none.
    assertion::AssertionIssuer* assertions = nullptr;
  };

  explicit ProxyStep(Steps steps) : steps_(steps) {}

  // True when `path` goes to an upstream, or cannot be normalised while upstreams exist (the
  // request is then refused here, not guessed at by Latchkey's router).
  bool Forwards(std::string_view path) const;

  // Steps 1-3 for a request Forwards chose. `first_route`: the route index of upstream 0
  // (the metrics' and log's label "upstream <prefix>").
  http::Dispatch Begin(http::Request& request, int first_route) const;

 private:
  Steps steps_;
};

// True for a method the proxy and forward auth treat as state-changing: POST, PUT, PATCH,
// DELETE and any other but GET, HEAD and OPTIONS (a WebDAV or custom method is not safe by
// default: RFC 9110 9.2.1).
bool NeedsCsrf(http::Method method);

// http::Method of a method name ("POST"); kOther for any it does not know.
http::Method MethodNamed(std::string_view name);

}  // namespace latchkey::api
