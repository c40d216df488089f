// Email addresses of users: the syntax check and the key that makes an address unique.
//
// Syntax (a sane check, not an RFC 5322 parser; OWASP Input Validation Cheat Sheet, "Email
// Address Validation": check the basic shape, then prove control by sending a mail):
//   - at most 254 octets in all (RFC 5321 4.5.3.1.3 path limit less the angle brackets);
//   - exactly one '@';
//   - local part: 1-64 octets of RFC 5322 `atext` (letters, digits, !#$%&'*+-/=?^_`{|}~)
//     and dots, no dot first or last, no two dots together (the dot-atom form). Quoted
//     local parts ("a b"@x) and non-ASCII local parts (RFC 6531 SMTPUTF8) are refused: few
//     mail systems deliver them, and they are where parsers disagree.
//   - domain: at least two dot-separated labels, each 1-63 of [A-Za-z0-9-], no hyphen first
//     or last (RFC 1035 2.3.1, RFC 5890 LDH labels); no IP literals ([192.0.2.1]).
//   - IDN domains: only in their ASCII form (A-labels, "xn--..."; RFC 5890 2.3.2.1). A domain
//     with non-ASCII characters is refused with a message that says so: converting U-labels
//     (UTS #46) is the client's or the user's job, and one form per domain keeps the key
//     unique.
// Errors: kInvalidInput, field "email", with a message naming the rule.
//
// Key (EmailKey): the local part as written + '@' + the domain in ASCII lower case. Domains
// are case-insensitive (RFC 5321 2.4); local parts are the receiving host's business, so
// "Alice@x.org" and "alice@x.org" are two addresses (the rule). The users table's
// unique index on the key of VERIFIED addresses makes an address belong to one account.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/errc.h"

namespace latchkey::identity {

inline constexpr std::size_t kEmailMax = 254;
inline constexpr std::size_t kEmailLocalMax = 64;
inline constexpr std::size_t kEmailLabelMax = 63;

Result<void> ValidateEmail(std::string_view email);

// The uniqueness key of a VALID address (see above); undefined for an invalid one.
std::string EmailKey(std::string_view email);

// Whether `login` (the recovery form's field) names an address rather than a username:
// usernames never contain '@' (identity/validation.h).
bool LooksLikeEmail(std::string_view login);

}  // namespace latchkey::identity
