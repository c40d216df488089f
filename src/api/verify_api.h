// GET (and HEAD) /api/auth/verify: forward auth for a proxy in front of an application (nginx
// auth_request, Caddy forward_auth, Traefik ForwardAuth; docs/INTEGRATION.md; issue 17
// section 2). The proxy asks on every request with the client's headers; Latchkey answers:
//   200  the cookie is a live session: the identity headers (api/identity_headers.h), the
//        X-Latchkey-Assertion among them with aud = --public-url (the forwarded URI does not
//        name an application reliably, and the proxy in front may serve several), and
//        {"user": {...}} (as GET /api/auth), for the proxy to copy upstream; or the original
//        path is under a --public-path: 200 {"user": null} without identity;
//   401  unauthenticated | session_ended otherwise (session_ended deletes the session cookie,
//        for proxies that pass the answer's headers on: Traefik, Caddy);
//   403  origin_rejected | csrf_rejected: the original method may change state (anything but
//        GET, HEAD, OPTIONS) and the request's Origin or X-CSRF-Token fails the checks of
//        /api/auth (api/pipeline.h steps 3-4); user_mismatch: the request's
//        X-Latchkey-Expect-User (any method: a stale tab's reads are refused too) names
//        another user than the session's, or invalid_input: it is not a user id (409 and
//        400 elsewhere; 403 here because nginx's auth_request passes on only 401 and 403,
//        any other becomes its 500).
// Every 401 and 403 also names its code in `X-Latchkey-Error-Code` (nginx drops the body).
// A trusted proxy that sends the original URI without the original method gets the checks of
// a state-changing request (fail closed: a forgotten nginx line never turns CSRF off).
// The original method and URI are read only from a --trusted-proxy (http/request.h
// forwarded_method, forwarded_uri: X-Forwarded-Method/-Uri or X-Original-Method/-URI); the
// URI's path is normalised as the built-in proxy's (http/proxy/path.h), and one that cannot be
// is never public.
// Thread-safety: immutable after construction.
#pragma once

#include "api/pipeline.h"
#include "assertion/assertion_issuer.h"
#include "http/origin_policy.h"
#include "http/proxy/upstreams.h"
#include "session/csrf.h"

namespace latchkey::api {

class VerifyApi {
 public:
  // `assertions` null: no X-Latchkey-Assertion (tests).
  VerifyApi(const http::proxy::UpstreamTable& table, const http::OriginPolicy& origin,
            const session::CsrfTokens& csrf, const SessionCookies& cookies,
            assertion::AssertionIssuer* assertions = nullptr)
      : table_(table), origin_(origin), csrf_(csrf), cookies_(cookies), assertions_(assertions) {}

  http::Response Verify(const Context& c);

 private:
  const http::proxy::UpstreamTable& table_;  // its public paths
  const http::OriginPolicy& origin_;
  const session::CsrfTokens& csrf_;
  const SessionCookies& cookies_;           // session_ended deletes the cookie
  assertion::AssertionIssuer* assertions_;  // aud = its issuer, --public-url
};

}  // namespace latchkey::api
