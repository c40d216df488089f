#include "session/csrf.h"

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace latchkey::session {
namespace {
constexpr std::string_view kPurpose = "csrf";
constexpr std::size_t kBindingBytes = 32;
constexpr std::size_t kBindingChars = 43;
constexpr std::size_t kNonceBytes = 16;
constexpr std::size_t kTokenChars = 64;  // base64url of 16 + 32 bytes
}  // namespace

std::string CsrfTokens::NewBinding() { return crypto::RandomToken(kBindingBytes); }

bool CsrfTokens::IsWellFormedBinding(std::string_view binding) {
  return binding.size() == kBindingChars && crypto::Base64UrlDecode(binding).has_value();
}

std::string CsrfTokens::Issue(std::string_view binding) const {
  std::string nonce = crypto::RandomBytes(kNonceBytes);
  std::string data = std::string(binding) + nonce;
  return crypto::Base64UrlEncode(nonce + keys_.Mac(kPurpose, data));
}

bool CsrfTokens::Verify(std::string_view binding, std::string_view token) const {
  if (!IsWellFormedBinding(binding) || token.size() != kTokenChars) return false;
  auto raw = crypto::Base64UrlDecode(token);
  if (!raw || raw->size() != kNonceBytes + crypto::kMacBytes) return false;
  std::string_view nonce = std::string_view(*raw).substr(0, kNonceBytes);
  std::string_view mac = std::string_view(*raw).substr(kNonceBytes);
  std::string data = std::string(binding);
  data.append(nonce);
  return keys_.Verify(kPurpose, data, mac);
}

}  // namespace latchkey::session
