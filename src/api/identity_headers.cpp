#include "api/identity_headers.h"

#include <string>

namespace latchkey::api {

http::proxy::HeaderList IdentityHeaders(const session::Principal& principal,
                                        assertion::AssertionIssuer* assertions,
                                        std::string_view audience) {
  http::proxy::HeaderList headers = {
      {std::string(kUserIdHeader), std::to_string(principal.user_id().value())},
      {std::string(kUsernameHeader), principal.user().username},
      {std::string(kSessionIdHeader), principal.session_id().value()},
  };
  if (assertions) {
    headers.emplace_back(std::string(kAssertionHeader), assertions->Issue(principal, audience));
  }
  return headers;
}

}  // namespace latchkey::api
