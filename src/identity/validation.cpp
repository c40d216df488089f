#include "identity/validation.h"

#include <string>

namespace latchkey::identity {
namespace {

// Decodes one code point at text[i]; returns its length in bytes, or 0 when invalid
// (overlong forms, surrogates and values over U+10FFFF are invalid: RFC 3629).
std::size_t DecodeOne(std::string_view text, std::size_t i, char32_t& cp) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b0 = byte(i);
  std::size_t len;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t kMinForLen[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLen[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

bool IsControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

Error Invalid(std::string_view field, std::string message) {
  return MakeError(Errc::kInvalidInput, std::move(message), std::string(field));
}

}  // namespace

std::optional<std::size_t> CountCodePoints(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp;
    std::size_t len = DecodeOne(text, i, cp);
    if (len == 0) return std::nullopt;
    i += len;
    ++count;
  }
  return count;
}

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
  return {};
}

Result<void> ValidateName(std::string_view name) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < name.size();) {
    char32_t cp;
    std::size_t len = DecodeOne(name, i, cp);
    if (len == 0) return Invalid("name", "Name must be valid UTF-8 text");
    if (IsControl(cp)) return Invalid("name", "Name must not contain control characters");
    i += len;
    ++count;
  }
  if (count > kNameMax) return Invalid("name", "Name must be at most 100 characters long");
  return {};
}

}  // namespace latchkey::identity
