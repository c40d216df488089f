// GET|HEAD /.well-known/jwks.json: the public keys that verify X-Latchkey-Assertion
// (assertion/assertion_issuer.h), as a JWK Set (RFC 7517 section 5):
//   200 {"keys":[{"kty":"OKP","crv":"Ed25519","x","kid","alg":"EdDSA","use":"sig"} |
//                {"kty":"EC","crv":"P-256","x","y","kid","alg":"ES256","use":"sig"}, ...]}
// newest (signing) key first, retired keys after it while assertions they signed may still be
// valid (assertion/signing_keys.h). No session, no database: answered on the I/O thread.
// Cache-Control: public, max-age=300: keys change only when a node restarts after
// `latchkey keys rotate`, and a verifier that meets an unknown kid fetches again (jose's
// createRemoteJWKSet does), so five minutes of caching never locks out a new key for long.
// Thread-safety: immutable after construction (the body is rendered once).
#pragma once

#include <string>

#include "api/pipeline.h"
#include "assertion/signing_keys.h"

namespace latchkey::api {

class JwksApi {
 public:
  explicit JwksApi(const assertion::SigningKeys& keys) : body_(keys.JwksJson()) {}

  http::Response Jwks(const Context& c);

 private:
  std::string body_;
};

}  // namespace latchkey::api
