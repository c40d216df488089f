// One asymmetric key that signs identity assertions (assertion/assertion_issuer.h): an Ed25519
// key (JWS `alg` "EdDSA", RFC 8037 section 3.1) or an ECDSA P-256 key ("ES256", RFC 7518
// section 3.4), held as an OpenSSL EVP_PKEY. Every operation is OpenSSL's EVP API; nothing here
// is hand-written cryptography.
//
// kid: the RFC 7638 JWK thumbprint of the public key (SHA-256 over its required members,
// base64url): stable, derived from the key alone, and checkable by any verifier.
// The private key never leaves this class except as PKCS#8 DER in a Secret (for the key file),
// and is never printed or logged.
// Thread-safety: immutable after construction; Sign and Verify are safe from any thread
// (each call uses its own EVP_MD_CTX over the shared, read-only EVP_PKEY).
#pragma once

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/secret.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of the header

namespace latchkey::assertion {

enum class Algorithm {
  kEdDSA,  // Ed25519 (RFC 8037): the default; deterministic, 64-byte signatures
  kES256,  // ECDSA P-256 + SHA-256 (RFC 7518 section 3.4): for verifiers without EdDSA
};

// "EdDSA" / "ES256": the JWS `alg` value and the --assertion-alg spelling.
std::string_view AlgorithmName(Algorithm alg);
// The algorithm of a JWS `alg` name; nullopt for anything else (exact, case-sensitive).
std::optional<Algorithm> ParseAlgorithm(std::string_view name);

// Both algorithms sign with 64 bytes: Ed25519's R||S, ES256's r||s (32 bytes each, big-endian,
// zero-padded; RFC 7518 section 3.4, not the DER that OpenSSL produces).
inline constexpr std::size_t kSignatureBytes = 64;

class SigningKey {
 public:
  // A fresh random key (OpenSSL's CSPRNG). Throws std::runtime_error if OpenSSL fails.
  static SigningKey Generate(Algorithm alg, UnixTime created_at);

  // The key of a PKCS#8 DER PrivateKeyInfo (as Pkcs8() wrote it); throws std::runtime_error
  // when the bytes are not a key of `alg` (an Ed25519 key, or an EC key on P-256).
  static SigningKey FromPkcs8(Algorithm alg, const Secret& der, UnixTime created_at);

  // The private key as PKCS#8 DER, for the key file only.
  Secret Pkcs8() const;

  // The JWS signature (kSignatureBytes raw bytes) of the JWS signing input
  // (ASCII(BASE64URL(header) || '.' || BASE64URL(payload)), RFC 7515 section 5.1).
  std::string Sign(std::string_view signing_input) const;

  // True when `signature` (kSignatureBytes raw bytes, as Sign makes them) is a valid
  // signature of `signing_input` by this key. For checks and tests; verifiers of the
  // assertion use their own JOSE library against the JWKS.
  bool Verify(std::string_view signing_input, std::string_view signature) const;

  // The public key as a JWK (RFC 7517 section 4, RFC 8037 section 2, RFC 7518 section 6.2):
  // {"kty":"OKP","crv":"Ed25519","x"} or {"kty":"EC","crv":"P-256","x","y"}, with
  // "kid", "alg" and "use":"sig". Never a private member ("d").
  boost::json::object PublicJwk() const;

  Algorithm algorithm() const { return alg_; }
  const std::string& kid() const { return kid_; }      // RFC 7638 thumbprint, 43 chars
  UnixTime created_at() const { return created_at_; }  // when it was made (the key file's)

 private:
  SigningKey(Algorithm alg, std::shared_ptr<evp_pkey_st> key, UnixTime created_at);

  Algorithm alg_;
  std::shared_ptr<evp_pkey_st> key_;    // EVP_PKEY, freed (and cleansed) by EVP_PKEY_free
  boost::json::object public_members_;  // kty, crv, x[, y]: the RFC 7638 required members
  std::string kid_;
  UnixTime created_at_;
};

}  // namespace latchkey::assertion
