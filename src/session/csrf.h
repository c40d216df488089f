// CSRF tokens bound to the browser (OWASP CSRF Prevention Cheat Sheet, "Signed Double-Submit
// Cookie", with an HttpOnly binding cookie and per-render masking).
//
// binding:  32 random bytes, base64url (43 chars), in the HttpOnly cookie latchkey_csrf.
// token:    base64url(nonce(16) || HMAC-SHA256(key, "csrf" || 0 || binding || nonce)),
//           64 chars; a fresh nonce per page render, so no two renders show the same token
//           (BREACH-style compression attacks learn nothing), yet all are valid.
// A token only verifies with the binding cookie of the browser it was rendered for, so a
// token lifted from another cookie jar fails. It does not depend on the session, so the SPA's
// one token keeps working across login, logout and login again without a page reload.
// Comparison is constant-time. Thread-safety: immutable; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "crypto/keyring.h"

namespace latchkey::session {

class CsrfTokens {
 public:
  explicit CsrfTokens(const crypto::Keyring& keys) : keys_(keys) {}

  // A new binding value for the latchkey_csrf cookie.
  static std::string NewBinding();
  // True when binding has the shape NewBinding() makes.
  static bool IsWellFormedBinding(std::string_view binding);

  // A token for this binding.
  std::string Issue(std::string_view binding) const;

  // True when token was issued for binding under any key of the keyring.
  bool Verify(std::string_view binding, std::string_view token) const;

 private:
  const crypto::Keyring& keys_;
};

}  // namespace latchkey::session
