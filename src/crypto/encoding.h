// Byte encodings used on the wire and in the store (libsodium implementations), and the
// SHA-256 of stored session tokens (OpenSSL: SHA-NI/AVX2 assembly, see crypto/hmac_sha256.h).
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace latchkey::crypto {

// base64url (RFC 4648 section 5), no padding.
std::string Base64UrlEncode(std::string_view bytes);
// Decodes base64url without padding; nullopt on any character outside the alphabet,
// padding or trailing garbage.
std::optional<std::string> Base64UrlDecode(std::string_view text);
// The same into `out`, which the text must fill exactly (no allocation); false otherwise.
bool Base64UrlDecodeExact(std::string_view text, std::span<unsigned char> out);

// Lowercase hex.
std::string HexEncode(std::string_view bytes);

// SHA-256 of bytes, as 64 lowercase hex characters. Used to store session tokens: the token
// has 256 bits of entropy, so a fast hash is enough (OWASP Session Management Cheat Sheet).
std::string Sha256Hex(std::string_view bytes);

// Constant-time equality (sodium_memcmp); false when the sizes differ (size is not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace latchkey::crypto
