#include "session/session_token.h"

#include <array>

#include "crypto/encoding.h"
#include "crypto/keyring.h"
#include "crypto/random.h"

namespace latchkey::session {
namespace {
constexpr std::string_view kPurpose = "session";
constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kTokenChars = 43;  // base64url of 32 bytes, no padding
}  // namespace

IssuedToken SessionTokenCodec::Issue() const {
  Secret token(crypto::RandomToken(kTokenBytes));
  std::string mac = crypto::Base64UrlEncode(keys_.Mac(kPurpose, token.Reveal()));
  std::string value;
  value.reserve(token.size() + 1 + mac.size());  // one buffer: no unwiped copy of the token
  value.append(token.Reveal()).append(".").append(mac);
  return IssuedToken{Secret(std::move(value)), TokenHash(crypto::Sha256Hex(token.Reveal()))};
}

std::optional<TokenHash> SessionTokenCodec::Verify(std::string_view cookie_value) const {
  if (cookie_value.size() != 2 * kTokenChars + 1 || cookie_value[kTokenChars] != '.') {
    return std::nullopt;
  }
  std::string_view token = cookie_value.substr(0, kTokenChars);
  // The token itself is not decoded: the MAC covers its exact characters, and only this
  // server could have produced a matching one (a malformed token cannot carry a valid MAC).
  std::array<unsigned char, crypto::kMacBytes> mac;
  if (!crypto::Base64UrlDecodeExact(cookie_value.substr(kTokenChars + 1), mac)) {
    return std::nullopt;
  }
  std::string_view mac_bytes(reinterpret_cast<const char*>(mac.data()), mac.size());
  if (!keys_.Verify(kPurpose, token, mac_bytes)) return std::nullopt;
  return TokenHash(crypto::Sha256Hex(token));
}

}  // namespace latchkey::session
