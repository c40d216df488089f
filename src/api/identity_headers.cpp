#include "api/identity_headers.h"

#include <string>

namespace latchkey::api {

http::proxy::StatedHeaders IdentityHeaders(const session::Principal& principal,
                                           assertion::AssertionIssuer* assertions,
                                           std::string_view audience) {
  http::proxy::StatedHeaders headers;
  headers.reserve(4);
  headers.emplace_back(kUserIdHeader, std::to_string(principal.user_id().value()));
  headers.emplace_back(kUsernameHeader, principal.user().username);
  headers.emplace_back(kSessionIdHeader, principal.session_id().value());
  if (assertions) headers.emplace_back(kAssertionHeader, assertions->Issue(principal, audience));
  return headers;
}

}  // namespace latchkey::api
