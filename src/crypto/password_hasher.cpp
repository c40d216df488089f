#include "crypto/password_hasher.h"

#include <crypt.h>
#include <sodium.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace latchkey::crypto {
namespace {

constexpr std::string_view kBcryptSha256Prefix = "$bcrypt-sha256$";
constexpr std::size_t kBcryptMaxBytes = 72;
constexpr std::size_t kBcryptSettingLen = 29;  // "$2b$12$" + 22 salt characters

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool IsPlainBcrypt(std::string_view h) {
  return StartsWith(h, "$2b$") || StartsWith(h, "$2a$") || StartsWith(h, "$2y$");
}

// crypt_rn over a heap-allocated crypt_data (about 32 KiB: too big for a coroutine stack).
// Returns empty on failure.
std::string BcryptRaw(const std::string& password, const std::string& setting) {
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_rn(password.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  std::string result = (out != nullptr && out[0] != '*') ? std::string(out) : std::string();
  sodium_memzero(data.get(), sizeof(crypt_data));
  return result;
}

// base64(HMAC-SHA256(key = setting, password)): 44 ASCII bytes, below bcrypt's 72.
std::string BcryptPrehash(std::string_view password, std::string_view setting) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(setting.data()),
                              setting.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(password.data()),
                                password.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char b64[sodium_base64_ENCODED_LEN(sizeof mac, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
  sodium_memzero(mac, sizeof mac);
  return std::string(b64);
}

bool VerifyBcrypt(const std::string& password, std::string_view stored) {
  if (stored.size() < kBcryptSettingLen) return false;
  std::string computed = BcryptRaw(password, std::string(stored.substr(0, kBcryptSettingLen)));
  return !computed.empty() && ConstantTimeEquals(computed, stored);
}

}  // namespace

bool ParsePasswordAlgorithm(std::string_view name, PasswordAlgorithm& out) {
  if (name == "argon2id") {
    out = PasswordAlgorithm::kArgon2id;
  } else if (name == "bcrypt") {
    out = PasswordAlgorithm::kBcrypt;
  } else {
    return false;
  }
  return true;
}

PasswordHasher::PasswordHasher(PasswordHashParams params) : params_(params) {
  if (params_.argon2_opslimit < crypto_pwhash_OPSLIMIT_MIN ||
      params_.argon2_memlimit < crypto_pwhash_MEMLIMIT_MIN || params_.bcrypt_cost < 4 ||
      params_.bcrypt_cost > 31) {
    throw std::invalid_argument("password hash parameters out of range");
  }
  auto dummy = Hash(RandomToken(24));
  if (!dummy) throw std::runtime_error("cannot compute the dummy password hash");
  dummy_hash_ = std::move(*dummy);
}

Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  if (params_.algorithm == PasswordAlgorithm::kArgon2id) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), params_.argon2_opslimit,
                              params_.argon2_memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
      return MakeError(Errc::kInternal, "Password hashing failed");
    }
    return std::string(out);
  }
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(params_.bcrypt_cost), nullptr, 0, setting,
                       sizeof setting) == nullptr) {
    return MakeError(Errc::kInternal, "Password hashing failed");
  }
  std::string setting_str(setting);
  std::string prehash = BcryptPrehash(password, setting_str);
  std::string hashed = BcryptRaw(prehash, setting_str);
  sodium_memzero(prehash.data(), prehash.size());
  if (hashed.empty()) return MakeError(Errc::kInternal, "Password hashing failed");
  return std::string(kBcryptSha256Prefix) + hashed;
}

namespace {

// "$2b$12$" + 53 characters of bcrypt's base64 alphabet, cost 4-16.
bool IsWellFormedBcrypt(std::string_view h) {
  constexpr std::size_t kLength = 60;
  if (!IsPlainBcrypt(h) || h.size() != kLength || h[6] != '$') return false;
  if (h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9') return false;
  int cost = (h[4] - '0') * 10 + (h[5] - '0');
  if (cost < 4 || cost > 16) return false;
  for (char c : h.substr(7)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// libsodium's own parser decides the form; the work factors are bounded so that one login
// cannot hold a hashing thread for minutes (m <= 256 MiB, t <= 16, p <= 16).
bool IsWellFormedArgon2id(std::string_view h) {
  if (h.size() > 512) return false;
  std::string copy(h);
  unsigned long m = 0, t = 0, p = 0;
  if (std::sscanf(copy.c_str(), "$argon2id$v=19$m=%lu,t=%lu,p=%lu$", &m, &t, &p) != 3) {
    return false;
  }
  if (m < 8 || m > 256ul * 1024 || t < 1 || t > 16 || p < 1 || p > 16) return false;
  return crypto_pwhash_str_needs_rehash(copy.c_str(), crypto_pwhash_OPSLIMIT_MIN,
                                        crypto_pwhash_MEMLIMIT_MIN) != -1;
}

}  // namespace

bool IsSupportedHash(std::string_view stored) {
  if (StartsWith(stored, "$argon2id$")) return IsWellFormedArgon2id(stored);
  if (StartsWith(stored, kBcryptSha256Prefix)) {
    return IsWellFormedBcrypt(stored.substr(kBcryptSha256Prefix.size()));
  }
  return IsWellFormedBcrypt(stored);
}

bool PasswordHasher::Verify(std::string_view password, std::string_view stored) const {
  if (StartsWith(stored, "$argon2id$")) {
    std::string hash(stored);  // libsodium needs a NUL-terminated string
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  }
  if (StartsWith(stored, kBcryptSha256Prefix)) {
    std::string_view inner = stored.substr(kBcryptSha256Prefix.size());
    if (!IsPlainBcrypt(inner) || inner.size() < kBcryptSettingLen) return false;
    std::string prehash = BcryptPrehash(password, inner.substr(0, kBcryptSettingLen));
    bool ok = VerifyBcrypt(prehash, inner);
    sodium_memzero(prehash.data(), prehash.size());
    return ok;
  }
  if (IsPlainBcrypt(stored)) {
    // A plain bcrypt hash only sees the first 72 bytes: refuse rather than truncate.
    if (password.size() > kBcryptMaxBytes || password.find('\0') != std::string_view::npos) {
      VerifyDummy(password);
      return false;
    }
    return VerifyBcrypt(std::string(password), stored);
  }
  // Not a hash (an unusable password, identity::kUnusablePasswordHash, or a damaged row): no
  // password matches, in the time a wrong one takes.
  VerifyDummy(password);
  return false;
}

bool PasswordHasher::VerifyDummy(std::string_view password) const {
  Verify(password, dummy_hash_);
  return false;
}

}  // namespace latchkey::crypto
