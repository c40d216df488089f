// Server-side validation of identity fields: the gatekeeper. The web client mirrors these
// rules in data-parsley-* attributes (web/src/templates), but only these decide.
//
// Rules (docs/API.md):
//   username: 3-32 characters of [A-Za-z0-9._-]
//   password: 8-1024 Unicode code points of the PREPARED password (identity/password_prep.h:
//             NFC, so "é" counts once however it was typed; NIST SP 800-63B 5.1.1.2 counts
//             each code point as one character), no NUL, CR or LF (preparation refuses every
//             control character before this), nothing else (no composition rules, at least
//             64 characters, all printing characters and spaces allowed). The list and
//             username rules for new passwords, and the preparation: identity/password_policy.h
//   name:     0-100 Unicode code points, no control characters (C0, DEL, C1)
// Inputs are expected to be valid UTF-8 (Boost.JSON rejects invalid UTF-8 while parsing);
// invalid UTF-8 is refused here too. Errors: kInvalidInput with the field name.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "base/errc.h"

namespace latchkey::identity {

inline constexpr std::size_t kUsernameMin = 3;
inline constexpr std::size_t kUsernameMax = 32;
inline constexpr std::size_t kPasswordMin = 8;
inline constexpr std::size_t kPasswordMax = 1024;
inline constexpr std::size_t kNameMax = 100;

Result<void> ValidateUsername(std::string_view username);
Result<void> ValidatePassword(std::string_view password, std::string_view field = "password");
Result<void> ValidateName(std::string_view name);

}  // namespace latchkey::identity
