#include "mfa/totp.h"

#include <liboath/oath.h>
#include <sodium.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "crypto/random.h"

namespace latchkey::mfa {
namespace {

// liboath's global state (its crypto backend) is set up once, before the first use.
void EnsureOathReady() {
  static const int rc = oath_init();
  if (rc != OATH_OK) throw std::runtime_error("liboath failed to initialise");
}

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

// liboath's comparison callback: 0 when equal, as strcmp. Constant-time over the 6 digits.
int ConstantTimeCompare(void* handle, const char* candidate) {
  const auto* typed = static_cast<const std::string*>(handle);
  return sodium_memcmp(typed->data(), candidate, kTotpDigits) == 0 ? 0 : 1;
}

bool IsSixDigits(std::string_view code) {
  if (code.size() != kTotpDigits) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// RFC 3986 unreserved characters kept, everything else %XX.
std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

Secret NewTotpSecret() { return Secret(crypto::RandomBytes(kTotpSecretBytes)); }

Secret TotpSecretBase32(const Secret& secret) {
  EnsureOathReady();
  char* out = nullptr;
  std::size_t out_len = 0;
  const std::string_view raw = secret.Reveal();
  if (oath_base32_encode(raw.data(), raw.size(), &out, &out_len) != OATH_OK) {
    throw std::runtime_error("base32 encoding failed");  // only when out of memory
  }
  std::unique_ptr<char, FreeDeleter> owned(out);
  std::string text(out, out_len);
  sodium_memzero(out, out_len);
  while (!text.empty() && text.back() == '=') text.pop_back();
  return Secret(std::move(text));
}

std::optional<Secret> TotpSecretFromBase32(std::string_view base32) {
  EnsureOathReady();
  std::string clean;
  clean.reserve(base32.size() + 8);  // never reallocated: the one buffer is wiped below
  for (char c : base32) {
    if (c == ' ' || c == '-') continue;
    clean += static_cast<char>((c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c);
  }
  while (clean.size() % 8 != 0) clean += '=';  // liboath wants whole blocks
  char* out = nullptr;
  std::size_t out_len = 0;
  int rc = oath_base32_decode(clean.data(), clean.size(), &out, &out_len);
  Secret wiped_input(std::move(clean));
  if (rc != OATH_OK) return std::nullopt;
  std::unique_ptr<char, FreeDeleter> owned(out);
  Secret secret(std::string(out, out_len));
  sodium_memzero(out, out_len);
  if (secret.size() < kMinTotpSecretBytes) return std::nullopt;
  return secret;
}

Secret TotpUri(std::string_view issuer, std::string_view account, const Secret& secret_base32) {
  std::string uri = "otpauth://totp/";
  uri.reserve(128 + 3 * (issuer.size() * 2 + account.size()) + secret_base32.size());
  uri += PercentEncode(issuer);
  uri += ':';
  uri += PercentEncode(account);
  uri += "?secret=";
  uri += secret_base32.Reveal();
  uri += "&issuer=";
  uri += PercentEncode(issuer);
  uri += "&algorithm=SHA1&digits=" + std::to_string(kTotpDigits);
  uri += "&period=" + std::to_string(kTotpStep.count());
  return Secret(std::move(uri));
}

std::int64_t TotpStepOf(UnixTime now) { return ToUnixSeconds(now) / kTotpStep.count(); }

std::optional<std::int64_t> MatchTotp(const Secret& secret, std::string_view code, UnixTime now,
                                      std::optional<std::int64_t> last_step) {
  if (!IsSixDigits(code)) return std::nullopt;
  EnsureOathReady();
  const std::string typed(code);
  const std::string_view raw = secret.Reveal();
  int position = 0;
  std::uint64_t counter = 0;
  int rc = oath_totp_validate4_callback(
      raw.data(), raw.size(), static_cast<time_t>(ToUnixSeconds(now)),
      static_cast<unsigned>(kTotpStep.count()), /*start_offset=*/0, kTotpDigits,
      static_cast<std::size_t>(kTotpDriftSteps), &position, &counter, /*flags=*/0,
      ConstantTimeCompare, const_cast<std::string*>(&typed));
  if (rc < 0) return std::nullopt;  // OATH_INVALID_OTP: no step in the window matched
  const auto step = static_cast<std::int64_t>(counter);
  if (last_step && step <= *last_step) return std::nullopt;  // replayed, or an older code
  return step;
}

}  // namespace latchkey::mfa
