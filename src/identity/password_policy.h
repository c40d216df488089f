// The rules for a NEW password (signup, password change, `latchkey user add|set-password`):
// the password is prepared (identity/password_prep.h, RFC 8265 OpaqueString), then the format
// rules of identity/validation.h, then NIST SP 800-63B 5.1.1.2 / OWASP ASVS 2.1.7: not a
// commonly used password (a list loaded at startup) and not the account's username, all on
// the prepared form. Both comparisons fold ASCII case: "Password1" is as guessable as
// "password1". Login and re-authentication never apply these rules (a list update must not
// lock anyone out).
//
// The list file: one password per line (UTF-8; '\r' before '\n' and blank lines ignored), in
// practice web/dist/assets/common-passwords.txt, built from an npm package by
// web/common_passwords.js; the client checks the same file.
// Errors: kInvalidInput naming the field.
// Thread-safety: immutable after construction; Validate is safe from many threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>

#include "base/errc.h"
#include "base/secret.h"

namespace latchkey::identity {

class PasswordPolicy {
 public:
  // No list: only the format rules and the username rule.
  PasswordPolicy() = default;
  // common: the passwords to refuse, any case (folded here), prepared here when not ASCII.
  explicit PasswordPolicy(const std::unordered_set<std::string>& common);

  // Reads the list file. Throws std::runtime_error naming the file when it cannot be read or
  // holds no password (a startup failure: refusing nothing would be a silent downgrade).
  static PasswordPolicy LoadFile(const std::string& path);

  // What to hash for a new password: `typed` prepared (PreparePassword), which must then
  // pass Validate. Errors: kInvalidInput naming field.
  Result<Secret> PrepareNew(std::string_view typed, std::string_view username,
                            std::string_view field = "password") const;

  // The rules on an already prepared password: ValidatePassword(password, field), then the
  // list and the username (case-insensitively).
  Result<void> Validate(std::string_view password, std::string_view username,
                        std::string_view field = "password") const;

  // Whether the (prepared) password is on the list (ASCII case folded).
  bool IsCommon(std::string_view password) const;

  std::size_t size() const { return common_.size(); }

 private:
  std::unordered_set<std::string> common_;  // lowercase (ASCII folded)
};

}  // namespace latchkey::identity
