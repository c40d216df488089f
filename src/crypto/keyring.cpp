#include "crypto/keyring.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace latchkey::crypto {
namespace {

std::string EncodeKeyLine() {
  std::string raw = RandomBytes(kMinKeyBytes);
  std::string line = Base64UrlEncode(raw) + "\n";
  sodium_memzero(raw.data(), raw.size());
  return line;
}

// Writes with O_EXCL|O_CREAT mode 0600 or O_APPEND: the key never exists with a wider mode.
void WriteKeyLine(const std::filesystem::path& file, bool create) {
  int flags = O_WRONLY | O_CLOEXEC | (create ? (O_CREAT | O_EXCL) : O_APPEND);
  int fd = ::open(file.c_str(), flags, 0600);
  if (fd < 0) throw std::runtime_error("cannot write secret key file " + file.string());
  std::string line = EncodeKeyLine();
  ssize_t written = ::write(fd, line.data(), line.size());
  sodium_memzero(line.data(), line.size());
  bool ok = written == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write secret key file " + file.string());
}

}  // namespace

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
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (!create_if_missing) throw std::runtime_error("secret key file not found: " + file.string());
    WriteKeyLine(file, /*create=*/true);
    if (::stat(file.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + file.string());
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw std::runtime_error("secret key file " + file.string() +
                             " is readable by group or others; chmod 600 it");
  }
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read secret key file " + file.string());
  std::vector<Secret> keys;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto raw = Base64UrlDecode(line);
    sodium_memzero(line.data(), line.size());
    if (!raw || raw->size() < kMinKeyBytes) {
      throw std::runtime_error("secret key file " + file.string() +
                               " holds a line that is not a base64url key of 32+ bytes");
    }
    keys.emplace_back(std::move(*raw));
  }
  if (keys.empty()) throw std::runtime_error("secret key file " + file.string() + " is empty");
  return Keyring(std::move(keys));
}

void Keyring::AppendNewKey(const std::filesystem::path& file) {
  WriteKeyLine(file, /*create=*/!std::filesystem::exists(file));
}

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
