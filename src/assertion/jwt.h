// The identity assertion as a compact JWS (RFC 7515 section 7.1) whose payload is a JWT claims
// set (RFC 7519): BASE64URL(header) '.' BASE64URL(claims) '.' BASE64URL(signature).
//
//   header  {"alg":"EdDSA"|"ES256","kid":<RFC 7638 thumbprint>,"typ":"JWT"}   (RFC 7515 4.1)
//   claims  {"iss","aud","sub","sid","username","iat","exp"}                (RFC 7519 4.1)
//
// JSON by Boost.JSON, base64url by libsodium (crypto/encoding.h), the signature by OpenSSL
// (assertion/signing_key.h). Thread-safety: pure functions.
#pragma once

#include <string>

#include "assertion/signing_key.h"
#include "base/clock.h"

namespace latchkey::assertion {

struct Claims {
  std::string issuer;      // iss: --public-url, the origin users reach
  std::string audience;    // aud: the upstream's prefix or a configured audience
  std::string subject;     // sub: the user id, decimal (RFC 7519 4.1.2: a string)
  std::string session_id;  // sid: the session's public id, never its token
  std::string username;    // username: the user's login name
  UnixTime issued_at{};    // iat: seconds since the epoch
  UnixTime expires_at{};   // exp: seconds since the epoch; after it, refuse the token
};

// The compact JWS of `claims` signed by `key` (`alg` and `kid` from the key). Throws
// std::runtime_error only when OpenSSL fails (a bug or no memory).
std::string EncodeJwt(const SigningKey& key, const Claims& claims);

}  // namespace latchkey::assertion
