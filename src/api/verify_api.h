// GET (and HEAD) /api/auth/verify: forward auth for a proxy in front of an application (nginx
// auth_request, Caddy forward_auth, Traefik ForwardAuth; docs/INTEGRATION.md; issue 17
// section 2). The proxy asks on every request with the client's headers; Latchkey answers:
//   200  the cookie is a live session: the identity headers (api/identity_headers.h), the
//        X-Latchkey-Assertion among them with aud = --public-url (the forwarded URI does not
//        name an application reliably, and the proxy in front may serve several), and
//        {"user": {...}} (as GET /api/auth), for the proxy to copy upstream; or the original
//        path is under a --public-path: 200 {"user": null} without identity;
//   401  unauthenticated | session_ended otherwise;
//   403  origin_rejected | csrf_rejected: the original method may change state (anything but
//        GET, HEAD, OPTIONS) and the request's Origin or X-CSRF-Token fails the checks of
//        /api/auth (api/pipeline.h steps 3-4).
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
            const session::CsrfTokens& csrf, assertion::AssertionIssuer* assertions = nullptr)
      : table_(table), origin_(origin), csrf_(csrf), assertions_(assertions) {}

  http::Response Verify(const Context& c);

 private:
  const http::proxy::UpstreamTable& table_;  // its public paths
  const http::OriginPolicy& origin_;
  const session::CsrfTokens& csrf_;
  assertion::AssertionIssuer* assertions_;  // aud = its issuer, --public-url
};

}  // namespace latchkey::api
