// UTF-8 checks (RFC 3629): overlong forms, surrogates (U+D800-DFFF) and values above
// U+10FFFF are invalid. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace latchkey {

// Decodes one code point at text[i] into cp; returns its length in bytes, or 0 when the
// bytes at i are not valid UTF-8.
std::size_t DecodeUtf8(std::string_view text, std::size_t i, char32_t& cp);

// Number of code points in valid UTF-8; nullopt when text is not valid UTF-8.
std::optional<std::size_t> CountCodePoints(std::string_view text);

// text cut to at most max bytes at a code point boundary (so valid UTF-8 stays valid).
std::string TruncateUtf8(std::string_view text, std::size_t max);

}  // namespace latchkey
