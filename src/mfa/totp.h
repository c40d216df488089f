// TOTP (RFC 6238) as authenticator apps speak it: HMAC-SHA-1, 6 digits, 30-second steps, a
// secret of 160 bits (RFC 4226 section 4, R6), one step of clock drift accepted either way
// (RFC 6238 section 5.2), and never the same step twice for one user (section 5.2: "the
// verifier MUST NOT accept the second attempt of the OTP after the successful validation has
// been issued for the first OTP"). Codes are computed and compared by liboath (OATH Toolkit,
// Debian's liboath), through its callback so that the comparison is constant-time
// (sodium_memcmp); the code here only chooses the parameters and keeps the replay rule.
//
//   NewTotpSecret()                 -> 20 random bytes (Secret)
//   TotpSecretBase32(secret)        -> "JBSWY3DPEHPK3PXP..." (RFC 4648 base32, no padding)
//   TotpUri(issuer, account, b32)   -> "otpauth://totp/Issuer:account?secret=...&issuer=..."
//   MatchTotp(secret, code, now, last_step) -> the step (floor(unix / 30)) the code is
//       for, when it is 6 ASCII digits, within one step of now's, and later than last_step
//       (the step of the user's last accepted code); nullopt otherwise.
// The base32 form and the URI carry the secret: they are Secret too (shown once, at
// enrolment). Replay protection holds only if the caller records the returned step with a
// conditional write (`UPDATE ... SET last_step = ? WHERE user_id = ? AND last_step < ?`):
// two logins racing with one code both pass MatchTotp, and the write lets one of them win.
// Errors: none a caller handles (a code that does not match is nullopt); liboath failing to
// initialise throws std::runtime_error (a startup failure).
// Thread-safety: all functions are safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/secret.h"

namespace latchkey::mfa {

inline constexpr std::size_t kTotpSecretBytes = 20;     // 160 bits, what NewTotpSecret makes
inline constexpr std::size_t kMinTotpSecretBytes = 16;  // 128 bits, RFC 4226 R6's floor
inline constexpr unsigned kTotpDigits = 6;
inline constexpr Seconds kTotpStep{30};
inline constexpr int kTotpDriftSteps = 1;  // accepted either way of now's step

// A fresh secret from the system's CSPRNG (libsodium).
Secret NewTotpSecret();

// RFC 4648 section 6 base32 of the secret, upper case, without "=" padding (as the
// otpauth URI and the manual-entry key of authenticator apps take it).
Secret TotpSecretBase32(const Secret& secret);

// The secret back from its base32 form (case, spaces and dashes ignored); nullopt when
// malformed or shorter than 128 bits (RFC 4226 section 4, R6).
std::optional<Secret> TotpSecretFromBase32(std::string_view base32);

// The Key URI of Google Authenticator's format (github.com/google/google-authenticator/wiki/
// Key-Uri-Format): label "issuer:account", parameters secret, issuer, algorithm, digits,
// period; label and issuer percent-encoded (RFC 3986).
Secret TotpUri(std::string_view issuer, std::string_view account, const Secret& secret_base32);

// The time step `code` was computed for (see the header), or nullopt.
std::optional<std::int64_t> MatchTotp(const Secret& secret, std::string_view code, UnixTime now,
                                      std::optional<std::int64_t> last_step);

// The step of `now`: floor(unix seconds / 30).
std::int64_t TotpStepOf(UnixTime now);

}  // namespace latchkey::mfa
