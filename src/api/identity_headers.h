// The identity Latchkey states to an application, in one place for the reverse proxy
// (api/proxy_step.h: sent upstream) and forward auth (api/verify_api.h: answered to the proxy
// that asked, which copies them upstream, docs/INTEGRATION.md).
//   X-Latchkey-User-Id     the user's id, decimal
//   X-Latchkey-Username    the username as typed at signup ([A-Za-z0-9._-]: no escaping needed)
//   X-Latchkey-Session-Id  the session's public id (the one shown and revoked), never its token
//   X-Latchkey-Assertion   the same identity as a signed JWT (issue 17 section 3;
//                          assertion/assertion_issuer.h) with aud = `audience`: the upstream's
//                          prefix for the proxy, --public-url for forward auth. Verifiable
//                          against GET /.well-known/jwks.json; omitted when `assertions` is null.
// Every inbound X-Latchkey-* header is removed before these are set
// (http/proxy/header_policy.h), so a client can never forge them.
// Thread-safety: as AssertionIssuer::Issue (any thread).
#pragma once

#include <string_view>

#include "assertion/assertion_issuer.h"
#include "http/proxy/header_policy.h"
#include "session/principal.h"

namespace latchkey::api {

inline constexpr std::string_view kUserIdHeader = "X-Latchkey-User-Id";
inline constexpr std::string_view kUsernameHeader = "X-Latchkey-Username";
inline constexpr std::string_view kSessionIdHeader = "X-Latchkey-Session-Id";
inline constexpr std::string_view kAssertionHeader = "X-Latchkey-Assertion";

http::proxy::StatedHeaders IdentityHeaders(const session::Principal& principal,
                                           assertion::AssertionIssuer* assertions,
                                           std::string_view audience);

}  // namespace latchkey::api
