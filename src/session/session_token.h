// Session tokens and their signed cookie form.
//
// token:        32 random bytes, base64url without padding (43 chars): 256 bits of entropy,
//               above the 64-bit minimum of the OWASP Session Management Cheat Sheet.
// cookie value: "<token>.<mac>", mac = base64url(HMAC-SHA256(newest key, "session" || 0 ||
//               token)), 43 chars. A value whose MAC fails under every key is treated as no
//               cookie, before any database work (a forged cookie costs one HMAC).
// token hash:   SHA-256(token) as hex: what the store keeps.
// Thread-safety: immutable; safe from any thread.
#pragma once

#include <optional>
#include <string_view>

#include "base/secret.h"
#include "crypto/keyring.h"
#include "session/session.h"

namespace latchkey::session {

struct IssuedToken {
  Secret cookie_value;   // goes to Set-Cookie only; never logged or stored
  TokenHash token_hash;  // goes to the store
};

class SessionTokenCodec {
 public:
  explicit SessionTokenCodec(const crypto::Keyring& keys) : keys_(keys) {}

  IssuedToken Issue() const;

  // The token hash of a well-formed, correctly signed cookie value; nullopt otherwise.
  std::optional<TokenHash> Verify(std::string_view cookie_value) const;

 private:
  const crypto::Keyring& keys_;
};

}  // namespace latchkey::session
