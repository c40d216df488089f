// The assertion signing keys of a node: the newest signs, every key listed is published in
// the JWKS (GET /.well-known/jwks.json, RFC 7517 section 5) so that an assertion signed with a
// key retired by `latchkey keys rotate` still verifies until it expires.
//
// On disk (default <directory of --secret-file>/assertion.key, beside the HMAC keys; mode 0600,
// refused when group or others can read it, like crypto/keyring.h's file), oldest first, one
// key per line:  <alg> <created_at unix seconds> <base64url PKCS#8 DER private key>
// Lines that are empty or start with '#' are skipped. The file is rewritten whole (a temporary
// file of mode 0600, fsync, rename), so a reader never sees half a key.
//
// Retention: servers read the file at start and sign with its newest key until restarted, so a
// key stops signing some time after its successor is added (a rolling restart). A key is
// dropped only by a later rotation, once its successor has been in the file for
// kRetiredKeyGrace: far longer than any assertion lives (at most 60 s) plus a restart.
// Thread-safety: immutable after construction; safe from any thread.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "assertion/signing_key.h"
#include "base/clock.h"

namespace latchkey::assertion {

// How long a retired key stays after its successor was added (seconds): one day.
inline constexpr Seconds kRetiredKeyGrace = std::chrono::days(1);

// What `latchkey keys rotate` did to the assertion key file.
struct RotateOutcome {
  std::string added_kid;    // the new signing key's kid
  std::size_t keys = 0;     // keys in the file now
  std::size_t dropped = 0;  // retired keys removed (successor older than kRetiredKeyGrace)
};

class SigningKeys {
 public:
  // keys: oldest first, the last one signs. Throws std::invalid_argument when empty.
  explicit SigningKeys(std::vector<SigningKey> keys);

  // One fresh key of `alg`, in memory only (tests, fuzz targets).
  static SigningKeys Generate(Algorithm alg, UnixTime now);

  // Reads the key file; creates it with one fresh key of `alg` when missing and
  // create_if_missing is set. Throws std::runtime_error naming the file (never its content) on
  // I/O errors, a line that is not a key, or unsafe permissions (group/other readable).
  static SigningKeys LoadOrCreate(const std::filesystem::path& file, bool create_if_missing,
                                  Algorithm alg, UnixTime now);

  // Adds a fresh key of `alg` as the newest (creating the file when missing) and drops the
  // keys retired for longer than kRetiredKeyGrace. Throws std::runtime_error as LoadOrCreate.
  static RotateOutcome Rotate(const std::filesystem::path& file, Algorithm alg, UnixTime now);

  // The key that signs: the newest.
  const SigningKey& current() const { return keys_.back(); }
  // Every key, oldest first.
  const std::vector<SigningKey>& keys() const { return keys_; }
  // The key of `kid`, or null.
  const SigningKey* Find(std::string_view kid) const;

  // The JWK Set of the public keys, newest first (RFC 7517 section 5):
  // {"keys":[{"kty","crv","x"[,"y"],"kid","alg","use":"sig"}, ...]}.
  std::string JwksJson() const;

 private:
  std::vector<SigningKey> keys_;
};

}  // namespace latchkey::assertion
