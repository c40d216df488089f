#include "crypto/keyring.h"

#include <sodium.h>

#include <stdexcept>

#include "crypto/encoding.h"
#include "crypto/key_file.h"

namespace latchkey::crypto {
namespace {
std::vector<std::string> Fingerprints(const std::vector<Secret>& keys) {
  if (keys.empty()) throw std::invalid_argument("keyring needs at least one key");
  std::vector<std::string> out;
  for (const Secret& key : keys) {
    if (key.size() < kMinKeyBytes) throw std::invalid_argument("secret key shorter than 32 bytes");
    out.push_back(Sha256Hex(key.Reveal()).substr(0, 16));
  }
  return out;
}
}  // namespace

Keyring::Keyring(std::vector<Secret> keys)
    : fingerprints_(Fingerprints(keys)), hmac_(std::move(keys)) {}

Keyring Keyring::LoadOrCreate(const std::filesystem::path& file, bool create_if_missing) {
  return Keyring(ReadKeyFile(file, create_if_missing, kMinKeyBytes));
}

void Keyring::AppendNewKey(const std::filesystem::path& file) { AppendKeyLine(file, kMinKeyBytes); }

Keyring::MacBytes Keyring::MacWith(std::size_t key_index, std::string_view purpose,
                                   std::string_view data) const {
  static constexpr char kSeparator[1] = {'\0'};
  MacBytes mac;
  hmac_.Compute(key_index, {purpose, std::string_view(kSeparator, 1), data}, mac);
  return mac;
}

std::string Keyring::Mac(std::string_view purpose, std::string_view data) const {
  MacBytes mac = MacWith(hmac_.size() - 1, purpose, data);
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

bool Keyring::Verify(std::string_view purpose, std::string_view data, std::string_view mac) const {
  if (mac.size() != kMacBytes) return false;
  bool ok = false;
  // Newest first: the common case after a rotation is a cookie signed with the newest key.
  for (std::size_t i = hmac_.size(); i-- > 0;) {
    MacBytes expected = MacWith(i, purpose, data);
    ok |= sodium_memcmp(expected.data(), mac.data(), kMacBytes) == 0;  // constant time
    if (ok) break;
  }
  return ok;
}

}  // namespace latchkey::crypto
