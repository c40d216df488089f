// Recovery codes: the way into an account with a second factor when the authenticator is lost
// (OWASP Multifactor Authentication Cheat Sheet, "Resetting MFA"; NIST SP 800-63B 5.1.2,
// look-up secrets). A set is kRecoveryCodeCount codes, shown once; each is single use.
//
//   NewRecoveryCodes() -> 10 codes, each 12 symbols of Crockford's base32 alphabet
//       (0-9 a-z without i, l, o, u): 60 bits from the CSPRNG (NIST SP 800-63B 5.1.2.1
//       asks at least 20 bits; the issue at least 50), shown in groups of four:
//       "7k2m-x9qd-4hte".
//   CanonicalRecoveryCode(typed) -> the 12 symbols a user meant, as stored (hashed by the
//       caller): case, spaces and dashes ignored, Crockford's look-alikes read as the digit
//       they stand for (o -> 0, i and l -> 1); nullopt when it cannot be a code.
// Thread-safety: safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace latchkey::mfa {

inline constexpr std::size_t kRecoveryCodeCount = 10;
inline constexpr std::size_t kRecoveryCodeSymbols = 12;  // 5 bits each: 60 bits

// A fresh set, formatted for reading ("xxxx-xxxx-xxxx").
std::vector<std::string> NewRecoveryCodes();

std::optional<std::string> CanonicalRecoveryCode(std::string_view typed);

}  // namespace latchkey::mfa
