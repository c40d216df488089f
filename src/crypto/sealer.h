// Authenticated encryption of small secrets at rest: the template variables of queued mail
// (which carry one-time tokens), and later TOTP secrets (issue 20). The database never holds
// such a value in plain text; a stolen database without <data-dir>/seal.key opens nothing.
//
// Algorithm: libsodium's XChaCha20-Poly1305 (IETF construction) with a fresh random 192-bit
// nonce per message, so random nonces never collide in practice (libsodium docs, "AEAD
// constructions"). The `purpose` ("mail", "totp") is authenticated as associated data: a value
// sealed for one purpose never opens as another (the Keyring's purpose rule). OWASP
// Cryptographic Storage Cheat Sheet: an authenticated mode, keys apart from the data, rotation.
//
// Sealed form, ASCII, safe in a TEXT column:
//   "v1." + base64url-no-padding( key id (4 bytes) || nonce (24) || ciphertext || tag (16) )
// The key id is the first 4 bytes of SHA-256(key file line); it names the key, reveals nothing
// usable. Keys: newest last; Seal uses the newest, Open any (rotation keeps old keys for
// opening; IsCurrent tells which values to Reseal). The AEAD key of each line is derived with
// BLAKE2b (keyed by the line, "latchkey seal v1" as input), so a line copied from secret.key
// never serves as the same key for both HMAC and AEAD.
//
// On disk: <data-dir>/seal.key beside secret.key, in crypto/key_file.h's format and rules (mode
// 0600, 32-byte keys, base64url lines). Thread-safety: immutable after construction; every
// method is safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/secret.h"

namespace latchkey::crypto {

inline constexpr std::size_t kSealKeyBytes = 32;

class Sealer {
 public:
  // keys: newest last, each at least kSealKeyBytes. Throws std::invalid_argument otherwise (a
  // startup failure).
  explicit Sealer(std::vector<Secret> keys);

  // Reads <file> (crypto/key_file.h), creating it with one fresh key when missing and
  // create_if_missing is set. Throws std::runtime_error naming the file.
  static Sealer LoadOrCreate(const std::filesystem::path& file, bool create_if_missing);
  // Appends a fresh key (newest: seals from the next start on; the older ones still open).
  static void AppendNewKey(const std::filesystem::path& file);

  // The sealed form of plaintext (any bytes, up to a few KiB in practice) under the newest key.
  std::string Seal(std::string_view purpose, std::string_view plaintext) const;

  // The plaintext; nullopt when the value is malformed, was changed, was sealed for another
  // purpose or with a key this sealer does not hold.
  std::optional<Secret> Open(std::string_view purpose, std::string_view sealed) const;

  // True when `sealed` names the newest key (parsed, not opened); false for older keys, unknown
  // keys and malformed values.
  bool IsCurrent(std::string_view sealed) const;

  // The value opened and sealed again under the newest key; nullopt when it does not open.
  std::optional<std::string> Reseal(std::string_view purpose, std::string_view sealed) const;

  std::size_t size() const { return keys_.size(); }
  // Per key, oldest first: its 4-byte key id in hex (safe to print).
  std::vector<std::string> key_ids() const;

 private:
  using KeyId = std::array<unsigned char, 4>;
  struct Key {
    KeyId id;
    Secret aead_key;  // 32 bytes derived from the file's line (see above)
  };
  std::vector<Key> keys_;
};

}  // namespace latchkey::crypto
