// The identity Latchkey states to an application, in one place for the reverse proxy
// (api/proxy_step.h: sent upstream) and forward auth (api/verify_api.h: answered to the proxy
// that asked, which copies them upstream, docs/INTEGRATION.md). The signed assertion
// (X-Latchkey-Assertion, issue 17 section 3) joins them here.
//   X-Latchkey-User-Id     the user's id, decimal
//   X-Latchkey-Username    the username as typed at signup ([A-Za-z0-9._-]: no escaping needed)
//   X-Latchkey-Session-Id  the session's public id (the one shown and revoked), never its token
// Every inbound X-Latchkey-* header is removed before these are set
// (http/proxy/header_policy.h), so a client can never forge them.
// Thread-safety: pure function.
#pragma once

#include "http/proxy/header_policy.h"
#include "session/principal.h"

namespace latchkey::api {

inline constexpr std::string_view kUserIdHeader = "X-Latchkey-User-Id";
inline constexpr std::string_view kUsernameHeader = "X-Latchkey-Username";
inline constexpr std::string_view kSessionIdHeader = "X-Latchkey-Session-Id";

http::proxy::HeaderList IdentityHeaders(const session::Principal& principal);

}  // namespace latchkey::api
