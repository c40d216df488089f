// The server's secret keys for HMAC-SHA256 (cookie signatures, CSRF tokens).
//
// A keyring holds one or more keys of 32+ random bytes, newest last. New MACs use the newest
// key; Verify accepts a MAC made by any key, so keys can be rotated without logging everyone
// out (OWASP ASVS 6.4.2). Each use passes a purpose string ("session", "csrf") that is mixed
// into the MAC so a value signed for one purpose never verifies for another.
//
// On disk (<data-dir>/secret.key, mode 0600): one key per line, base64url without padding
// (crypto/key_file.h, shared with the sealing keys).
// Keys are never logged. HMAC by OpenSSL (crypto/hmac_sha256.h). Thread-safety: immutable after
// construction; Mac/Verify are safe from any thread.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/errc.h"
#include "base/secret.h"
#include "crypto/hmac_sha256.h"

namespace latchkey::crypto {

inline constexpr std::size_t kMinKeyBytes = 32;
inline constexpr std::size_t kMacBytes = kHmacSha256Bytes;  // 32

class Keyring {
 public:
  // keys: newest last; each at least kMinKeyBytes. Throws std::invalid_argument otherwise
  // (a startup failure).
  explicit Keyring(std::vector<Secret> keys);

  // Reads the key file; creates it with one fresh 32-byte key (mode 0600) when missing and
  // create_if_missing is set. Throws std::runtime_error with a message naming the file (never
  // its content) on I/O errors, bad content or unsafe permissions (group/other readable).
  static Keyring LoadOrCreate(const std::filesystem::path& file, bool create_if_missing);

  // Appends a new random key to the file (newest last); for key rotation.
  static void AppendNewKey(const std::filesystem::path& file);

  // HMAC-SHA256(newest key, purpose || 0x00 || data): 32 raw bytes.
  std::string Mac(std::string_view purpose, std::string_view data) const;

  // True when mac equals the MAC of (purpose, data) under any key; constant-time per key.
  bool Verify(std::string_view purpose, std::string_view data, std::string_view mac) const;

  std::size_t size() const { return hmac_.size(); }

  // Per key, oldest first: the first 8 bytes of SHA-256(key) in hex. Safe to print.
  const std::vector<std::string>& fingerprints() const { return fingerprints_; }

 private:
  using MacBytes = std::array<unsigned char, kMacBytes>;
  MacBytes MacWith(std::size_t key_index, std::string_view purpose, std::string_view data) const;
  std::vector<std::string> fingerprints_;  // before hmac_: computed from the keys it takes
  HmacSha256Keys hmac_;                    // keyed states precomputed (hmac_sha256.h)
};

}  // namespace latchkey::crypto
