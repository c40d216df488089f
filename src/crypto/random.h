// Cryptographically secure random bytes (libsodium randombytes_buf: getrandom(2)).
// Thread-safety: safe from any thread once sodium_init() has run (see app/startup).
#pragma once

#include <cstddef>
#include <string>

namespace latchkey::crypto {

// n random bytes.
std::string RandomBytes(std::size_t n);

// n random bytes as base64url without padding: 16 bytes -> 22 chars, 32 bytes -> 43 chars.
std::string RandomToken(std::size_t n);

}  // namespace latchkey::crypto
