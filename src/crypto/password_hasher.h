// Salted, deliberately slow password hashing (OWASP Password Storage Cheat Sheet; NIST SP
// 800-63B 5.1.1.2).
//
// Formats written:
//   argon2id (default): libsodium crypto_pwhash_str, "$argon2id$v=19$m=19456,t=2,p=1$..."
//     (OWASP minimum: m=19 MiB, t=2, p=1).
//   bcrypt: "$bcrypt-sha256$" + "$2b$12$<salt><hash>" (libxcrypt). The password is first
//     reduced to base64(HMAC-SHA256(key = bcrypt salt setting, password)), 44 bytes, so that
//     bcrypt's 72-byte limit never silently truncates it and NUL bytes are harmless.
// Formats verified: both of the above whatever the configured algorithm, and plain
// "$2a$/$2b$/$2y$" bcrypt (imported hashes); a plain bcrypt hash refuses passwords over 72
// bytes or holding NUL rather than truncating them.
//
// Every call is CPU- and memory-heavy (10-200 ms): call only from the hashing worker pool,
// never from an I/O thread. Thread-safety: const methods are safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "base/errc.h"

namespace latchkey::crypto {

enum class PasswordAlgorithm { kArgon2id, kBcrypt };

struct PasswordHashParams {
  PasswordAlgorithm algorithm = PasswordAlgorithm::kArgon2id;
  unsigned long long argon2_opslimit = 2;             // t, iterations
  std::size_t argon2_memlimit = 19u * 1024u * 1024u;  // m, bytes (19 MiB)
  int bcrypt_cost = 12;                               // log2 rounds
};

class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordHashParams params);

  // A new salted hash of password in the configured format. Errors: kInternal when the
  // library fails (out of memory).
  Result<std::string> Hash(std::string_view password) const;

  // True when password matches the stored hash (any supported format); false for a wrong
  // password or an unknown/malformed format (then after a dummy verification: an unusable
  // password such as "!" takes the time of a wrong one). Constant-time comparison of the
  // final digests.
  bool Verify(std::string_view password, std::string_view stored_hash) const;

  // Runs a verification against a dummy hash of the configured format and returns false:
  // used for unknown usernames so that both login failures take the same time.
  bool VerifyDummy(std::string_view password) const;

  const PasswordHashParams& params() const { return params_; }

 private:
  PasswordHashParams params_;
  std::string dummy_hash_;  // hash of a random password, made at construction
};

// True when `stored_hash` is a well-formed hash that Verify understands, with work factors
// it accepts: "$argon2id$v=19$m=..,t=..,p=..$salt$hash" (m <= 256 MiB, t and p <= 16),
// "$bcrypt-sha256$" + bcrypt, or bcrypt "$2a$/$2b$/$2y$" (cost 4-16, 60 characters).
// Checked on import (app/transfer.h): an imported cost-31 bcrypt would hold a hashing
// thread for hours.
bool IsSupportedHash(std::string_view stored_hash);

// Parses "argon2id" or "bcrypt"; false otherwise.
bool ParsePasswordAlgorithm(std::string_view name, PasswordAlgorithm& out);

}  // namespace latchkey::crypto
