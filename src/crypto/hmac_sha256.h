// HMAC-SHA256 (RFC 2104) over OpenSSL's SHA-256, with the keyed states precomputed.
//
// RFC 2104 section 4 ("Implementation notes"): the inner and outer hash states after the
// key's 64-byte block (K xor ipad, K xor opad) depend on the key only, so they are computed
// once per key here; a MAC then copies them and hashes only the message and the inner digest
// (two SHA-256 blocks for a session cookie instead of four). Nothing is allocated and nothing
// is shared that a thread writes, so there are no per-thread contexts.
//
// Why OpenSSL's SHA-256 and not libsodium's: libsodium's is portable C, OpenSSL's uses the
// CPU's SHA extensions (SHA-NI) or AVX2 assembly. The state must be copyable, which OpenSSL
// 3's EVP_MAC/EVP_MD contexts are only through an allocating dupctx, so this uses the
// SHA256_CTX functions (deprecated in OpenSSL 3.0, still in every 3.x). Every session check
// verifies one cookie MAC: 0.14-0.16 us per MAC here against 0.52-0.57 us with a reused
// EVP_MAC context and 0.9 us with crypto_auth_hmacsha256 on the benchmark machine
// (docs/PERFORMANCE.md). Checked against RFC 4231's vectors and libsodium in the unit tests.
//
// The precomputed states are key material (with them anyone can MAC): they are wiped with
// OPENSSL_cleanse when the last copy of the key set goes, and so are the per-MAC copies.
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
  // keys: at least one, any length (RFC 2104: a key longer than 64 bytes is hashed first).
  // Throws std::invalid_argument on an empty set. Copies share the keys.
  explicit HmacSha256Keys(std::vector<Secret> keys);

  // out = HMAC-SHA256(keys[index], concatenation of parts). index < size() (checked: throws
  // std::out_of_range). No allocation.
  void Compute(std::size_t index, std::initializer_list<std::string_view> parts,
               std::span<unsigned char, kHmacSha256Bytes> out) const;

  std::size_t size() const;

 private:
  struct State;
  std::shared_ptr<const State> state_;
};

}  // namespace latchkey::crypto
