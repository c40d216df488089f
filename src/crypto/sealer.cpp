#include "crypto/sealer.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "crypto/encoding.h"
#include "crypto/key_file.h"

namespace latchkey::crypto {
namespace {

constexpr std::string_view kPrefix = "v1.";
// BLAKE2b key of the derivation: 16 bytes, crypto_generichash_KEYBYTES_MIN.
constexpr std::string_view kDerivation = "latchkey seal v1";
static_assert(kDerivation.size() == crypto_generichash_KEYBYTES_MIN);
constexpr std::size_t kIdBytes = 4;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
constexpr std::size_t kHeaderBytes = kIdBytes + kNonceBytes;
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kSealKeyBytes);

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// The raw blob (id || nonce || ciphertext || tag) of a sealed value; nullopt when malformed.
std::optional<std::string> Unwrap(std::string_view sealed) {
  if (!sealed.starts_with(kPrefix)) return std::nullopt;
  auto raw = Base64UrlDecode(sealed.substr(kPrefix.size()));
  if (!raw || raw->size() < kHeaderBytes + kTagBytes) return std::nullopt;
  return raw;
}

}  // namespace

Sealer::Sealer(std::vector<Secret> keys) {
  if (keys.empty()) throw std::invalid_argument("sealer needs at least one key");
  for (const Secret& line : keys) {
    if (line.size() < kSealKeyBytes) throw std::invalid_argument("seal key shorter than 32 bytes");
    Key key{};
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), line.data(), line.size());
    std::copy_n(digest.begin(), kIdBytes, key.id.begin());
    std::string derived(kSealKeyBytes, '\0');
    crypto_generichash(reinterpret_cast<unsigned char*>(derived.data()), derived.size(),
                       line.data(), line.size(), Bytes(kDerivation), kDerivation.size());
    key.aead_key = Secret(std::move(derived));
    keys_.push_back(std::move(key));
  }
}

Sealer Sealer::LoadOrCreate(const std::filesystem::path& file, bool create_if_missing) {
  return Sealer(ReadKeyFile(file, create_if_missing, kSealKeyBytes));
}

void Sealer::AppendNewKey(const std::filesystem::path& file) { AppendKeyLine(file, kSealKeyBytes); }

std::string Sealer::Seal(std::string_view purpose, std::string_view plaintext) const {
  const Key& key = keys_.back();
  std::string blob(kHeaderBytes + plaintext.size() + kTagBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(blob.data());
  std::copy(key.id.begin(), key.id.end(), out);
  randombytes_buf(out + kIdBytes, kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + kHeaderBytes, &written, Bytes(plaintext),
                                             plaintext.size(), Bytes(purpose), purpose.size(),
                                             nullptr, out + kIdBytes, key.aead_key.data());
  blob.resize(kHeaderBytes + written);
  return std::string(kPrefix) + Base64UrlEncode(blob);
}

std::optional<Secret> Sealer::Open(std::string_view purpose, std::string_view sealed) const {
  auto blob = Unwrap(sealed);
  if (!blob) return std::nullopt;
  const auto* in = Bytes(*blob);
  std::size_t cipher_size = blob->size() - kHeaderBytes;
  // Every key with this id (two ids alike are a 1 in 2^32 chance, not a failure).
  for (auto it = keys_.rbegin(); it != keys_.rend(); ++it) {
    if (std::memcmp(it->id.data(), in, kIdBytes) != 0) continue;
    std::string plain(cipher_size - kTagBytes, '\0');
    unsigned long long size = 0;
    int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
        reinterpret_cast<unsigned char*>(plain.data()), &size, nullptr, in + kHeaderBytes,
        cipher_size, Bytes(purpose), purpose.size(), in + kIdBytes, it->aead_key.data());
    if (rc == 0) {
      plain.resize(size);
      return Secret(std::move(plain));
    }
  }
  return std::nullopt;
}

bool Sealer::IsCurrent(std::string_view sealed) const {
  auto blob = Unwrap(sealed);
  return blob && std::memcmp(keys_.back().id.data(), blob->data(), kIdBytes) == 0;
}

std::optional<std::string> Sealer::Reseal(std::string_view purpose, std::string_view sealed) const {
  auto plain = Open(purpose, sealed);
  if (!plain) return std::nullopt;
  return Seal(purpose, plain->Reveal());
}

std::vector<std::string> Sealer::key_ids() const {
  std::vector<std::string> out;
  for (const Key& key : keys_) {
    out.push_back(
        HexEncode(std::string_view(reinterpret_cast<const char*>(key.id.data()), kIdBytes)));
  }
  return out;
}

}  // namespace latchkey::crypto
