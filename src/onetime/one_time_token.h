// One-time tokens: the secrets mailed to prove control of an address (verify an email, undo an
// email change) or to recover an account; later features (issue 20, 21) add purposes to the
// same table and the same rules.
//
// Rules (OWASP Forgot Password Cheat Sheet, "URL tokens" and "PINs"; NIST SP 800-63B 5.1.1.2
// and 5.2.2):
// - A token is 32 random bytes (256 bits, crypto/random.h), base64url without padding (43
//   characters); the store keeps only its SHA-256 (hex), so a read of the database yields
//   nothing usable. SHA-256 without a salt is enough for 256 random bits (no dictionary).
// - A code (optional; for people who read mail on another device) is 8 decimal digits drawn
//   uniformly (rejection sampling), shown as "1234 5678"; stored only as the hex HMAC-SHA256
//   of the keyring (purpose "one-time-code") over (the token's hash, code): a code belongs to
//   its token (hence to one user and purpose), so one typed for another account never matches and a
//   stolen database cannot test codes without the key. Codes have an attempt budget per code
//   (kCodeAttempts, the code_attempts column) and per account (the throttle,
//   flows/one_time_codes.h) that survives new tokens.
// - One usable token per (user, purpose): a new one replaces the earlier in the same
//   transaction (onetime/token_store.h). Use consumes it by ONE conditional UPDATE (`...
//   WHERE token_hash = ? AND consumed_at IS NULL AND expires_at > now`): of two concurrent
//   uses exactly one succeeds.
// Thread-safety: Minter is immutable after construction; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/secret.h"
#include "crypto/keyring.h"
#include "identity/user.h"

namespace latchkey::onetime {

enum class Purpose {
  kVerifyEmail,      // proves control of users.email (data: the address's key)
  kUndoEmailChange,  // the OLD address takes the account back (data: the old address)
  kRecovery,         // sets a new password (data: empty)
};

// Stable names, stored in one_time_tokens.purpose: "verify_email", "undo_email_change",
// "recovery".
std::string_view PurposeName(Purpose purpose);
std::optional<Purpose> PurposeNamed(std::string_view name);

// How long each purpose's token lives (docs/SECURITY.md): recovery 30 minutes (OWASP: short);
// verification 24 hours (it proves an address, not an identity, and mail can be slow to be
// read); undo 72 hours (the issue: the owner of the old address may be away for a weekend).
Seconds LifetimeOf(Purpose purpose);

// Wrong codes allowed per code; the next wrong one (and every try after) kills the code (the
// link keeps working until it expires).
inline constexpr int kCodeAttempts = 5;
inline constexpr std::size_t kTokenBytes = 32;
inline constexpr std::size_t kCodeDigits = 8;

// A token as stored.
struct TokenRecord {
  std::int64_t id = 0;
  identity::UserId user_id;
  Purpose purpose = Purpose::kRecovery;
  std::string token_hash;  // hex SHA-256 of the token
  std::string code_hash;   // hex HMAC of the code, or empty: no code
  std::string data;        // the purpose's data (above); never a secret
  UnixTime created_at{};
  UnixTime expires_at{};
  int code_attempts = 0;  // wrong codes so far
};

// A token and its code as minted: the secrets go into the mail, the record into the store.
struct MintedToken {
  Secret token;        // 43 characters of base64url; only in the mail (sealed in the outbox)
  Secret code;         // 8 digits, or empty when none was asked for
  TokenRecord record;  // id 0: assigned by the store
};

class Minter {
 public:
  explicit Minter(const crypto::Keyring& keys) : keys_(keys) {}

  // A fresh token for (user, purpose) valid LifetimeOf(purpose) from `now`, with a code when
  // `with_code`. Never fails (libsodium's RNG does not).
  MintedToken Mint(identity::UserId user, Purpose purpose, bool with_code, std::string data,
                   UnixTime now) const;

  // Whether `code` (digits; spaces and hyphens ignored) is the code of `record`: its HMAC
  // under the NEWEST key, compared in constant time (a keyring rotation kills the codes
  // outstanding; their links keep working).
  bool CodeMatches(const TokenRecord& record, std::string_view code) const;

  // The hex code hash of (token hash, digits).
  std::string CodeHash(std::string_view token_hash, std::string_view digits) const;

 private:
  const crypto::Keyring& keys_;
};

// The store key of a token as presented: hex SHA-256 of its text.
std::string HashToken(std::string_view token);

// Whether `token` has the shape of a minted token (43 base64url characters): anything else
// is refused before any database work.
bool LooksLikeToken(std::string_view token);

// The digits of a code as typed ("1234 5678", "1234-5678"), or nullopt when it is not 8
// digits.
std::optional<std::string> NormalizeCode(std::string_view code);

// "12345678" -> "1234 5678": how mails show a code.
std::string GroupCode(std::string_view digits);

}  // namespace latchkey::onetime
