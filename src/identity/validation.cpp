#include "identity/validation.h"

#include <string>

#include "base/utf8.h"

namespace latchkey::identity {
namespace {

bool IsControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

Error Invalid(std::string_view field, std::string message) {
  return MakeError(Errc::kInvalidInput, std::move(message), std::string(field));
}

}  // namespace

Result<void> ValidateUsername(std::string_view username) {
  if (username.size() < kUsernameMin || username.size() > kUsernameMax) {
    return Invalid("username", "Username must be 3 to 32 characters long");
  }
  for (char c : username) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Invalid("username",
                     "Username may only contain letters, digits, dots, underscores and hyphens");
    }
  }
  return {};
}

Result<void> ValidatePassword(std::string_view password, std::string_view field) {
  auto count = CountCodePoints(password);
  if (!count) return Invalid(field, "Password must be valid UTF-8 text");
  if (*count < kPasswordMin) return Invalid(field, "Password must be at least 8 characters long");
  if (*count > kPasswordMax) return Invalid(field, "Password must be at most 1024 characters long");
  // Every other character is allowed (NIST SP 800-63B 5.1.1.2), but NUL truncates C strings
  // and CR/LF split lines (logs, headers, the one-per-line password list): no input field can
  // type them, so only a crafted request sends them.
  if (password.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos) {
    return Invalid(field, "Password must not contain NUL, CR or LF characters");
  }
  return {};
}

Result<void> ValidateName(std::string_view name) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < name.size();) {
    char32_t cp;
    std::size_t len = DecodeUtf8(name, i, cp);
    if (len == 0) return Invalid("name", "Name must be valid UTF-8 text");
    if (IsControl(cp)) return Invalid("name", "Name must not contain control characters");
    i += len;
    ++count;
  }
  if (count > kNameMax) return Invalid("name", "Name must be at most 100 characters long");
  return {};
}

}  // namespace latchkey::identity
