#include "api/identity_headers.h"

#include <string>

namespace latchkey::api {

http::proxy::HeaderList IdentityHeaders(const session::Principal& principal) {
  return {
      {std::string(kUserIdHeader), std::to_string(principal.user_id().value())},
      {std::string(kUsernameHeader), principal.user().username},
      {std::string(kSessionIdHeader), principal.session_id().value()},
  };
}

}  // namespace latchkey::api
