// HMAC-SHA256 (RFC 2104) with OpenSSL's EVP_MAC, keyed once per thread and key.
//
// Why OpenSSL here and libsodium elsewhere: libsodium's SHA-256 is portable C, while OpenSSL
// uses the CPU's SHA extensions (SHA-NI) or AVX2 assembly. Every session check verifies one
// cookie MAC, so this is on the hot path: 0.3-0.5 us per MAC here against 0.9 us with
// crypto_auth_hmacsha256 on the benchmark machine (docs/PERFORMANCE.md).
//
// An OpenSSL MAC context is not safe to share between threads, and keying one costs two
// SHA-256 blocks plus allocations, so each thread keeps keyed contexts for the last few key
// sets it used (kThreadSlots) and only re-initialises them per MAC. A context of a destroyed key
// set stays in its thread's slots, key material included, until the slot is reused or the
// thread exits (OpenSSL cleanses it on free).
//
// Thread-safety: immutable after construction; Compute is safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "base/secret.h"

namespace latchkey::crypto {

inline constexpr std::size_t kHmacSha256Bytes = 32;

class HmacSha256Keys {
 public:
  // keys: at least one, any length (RFC 2104). Throws std::runtime_error when OpenSSL has no
  // HMAC (a startup failure). Copies share the keys.
  explicit HmacSha256Keys(std::vector<Secret> keys);

  // out = HMAC-SHA256(keys[index], concatenation of parts). index < size(); throws
  // std::runtime_error only when OpenSSL fails (out of memory).
  void Compute(std::size_t index, std::initializer_list<std::string_view> parts,
               std::span<unsigned char, kHmacSha256Bytes> out) const;

  std::size_t size() const;

 private:
  struct State;
  std::shared_ptr<const State> state_;
};

}  // namespace latchkey::crypto
