// libFuzzer target: the CSRF token check (session/csrf.h) and the guard every state-changing
// API request passes (api::CheckCsrf, the request pipeline's step 4: binding cookie + X-CSRF-Token
// header).
//
// Input: "<binding>\n<token>" (without "\n": all binding, empty token). "@B@" in the binding
// becomes the fixed binding of support/fuzz_app.h and "@T@" in the token a token for it (of a
// fixed nonce), so
// the fuzzer also starts from valid pairs.
// Invariants (a violation aborts: a crash):
// - Verify(binding, token) is true only for a well-formed binding and a token that is
//   base64url(nonce || HMAC(key, "csrf" || 0 || binding || nonce)) under one of the keys,
//   recomputed here independently.
// - An issued token verifies for its binding and for no other binding (the binding with one
//   byte changed); the token with one byte changed never verifies.
// - The guard (CheckCsrf with the binding in the cookie, over plain HTTP and TLS cookie names)
//   lets a request through exactly when Verify accepts the binding as the cookie parser reads
//   it back (and the pair itself, when read back unchanged), and otherwise answers 403.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/cookie_policy.h"
#include "api/pipeline.h"
#include "crypto/encoding.h"
#include "http/cookies.h"
#include "session/csrf.h"
#include "support/fuzz_app.h"
#include "support/fuzz_keys.h"

namespace {

using latchkey::fuzz::Check;
namespace crypto = latchkey::crypto;

constexpr std::size_t kNonceBytes = 16;

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The token check written out again from csrf.h's format, without CsrfTokens.
bool IndependentlyValid(std::string_view binding, std::string_view token) {
  if (!latchkey::session::CsrfTokens::IsWellFormedBinding(binding)) return false;
  auto raw = crypto::Base64UrlDecode(token);
  if (!raw || raw->size() != kNonceBytes + crypto::kMacBytes) return false;
  if (crypto::Base64UrlEncode(*raw) != token) return false;  // one spelling per token
  std::string data = std::string(binding) + raw->substr(0, kNonceBytes);
  for (const crypto::Keyring* ring :
       {&latchkey::fuzz::OldKeyOnly(), &latchkey::fuzz::NewKeyOnly()}) {
    if (ring->Mac("csrf", data) == raw->substr(kNonceBytes)) return true;
  }
  return false;
}

void CheckGuard(const latchkey::session::CsrfTokens& api_csrf, const std::string& binding,
                const std::string& token, bool tls, bool expected) {
  latchkey::http::Request request;
  request.method = latchkey::http::Method::kPost;
  request.path = "/api/auth/logout";
  request.tls = tls;
  request.cookie = std::string(latchkey::api::CsrfCookieName(tls)) + "=" + binding;
  request.csrf_token = token;
  auto refused = latchkey::api::CheckCsrf(request, api_csrf);
  if (refused) {
    Check(refused->status == 403, "the CSRF guard refused with a status other than 403");
  }
  // The guard reads the binding back through the cookie parser, which trims blanks and quotes:
  // it must decide exactly as Verify does on what the parser gives it, and as Verify on the
  // binding itself when the cookie carries it unchanged.
  auto read_back = latchkey::http::FindCookie(request.cookie, latchkey::api::CsrfCookieName(tls));
  bool guard_expected = read_back && api_csrf.Verify(*read_back, token);
  Check(!refused == guard_expected, "the CSRF guard disagrees with Verify on the cookie");
  if (read_back && *read_back == binding) {
    Check(!refused == expected, "the CSRF guard disagrees with Verify");
  }
}

// What CsrfTokens::Issue makes, for a fixed nonce (Issue draws a random one): the same token
// in every run, so a crash input replays.
std::string FixedToken(const std::string& binding) {
  const std::string nonce = "fuzz-nonce-16byt";
  return crypto::Base64UrlEncode(nonce + latchkey::fuzz::NewKeyOnly().Mac("csrf", binding + nonce));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static latchkey::fuzz::FuzzApp& app = latchkey::fuzz::FuzzApp::Instance();
  const latchkey::session::CsrfTokens& csrf = app.csrf();
  const std::string& issued_binding = app.CsrfBinding();
  static const std::string issued_token = FixedToken(issued_binding);
  Check(csrf.Verify(issued_binding, app.CsrfToken()), "CsrfTokens::Issue does not verify");

  std::string raw(reinterpret_cast<const char*>(data), size);
  std::size_t newline = raw.find('\n');
  std::string binding = ReplaceAll(raw.substr(0, newline), "@B@", issued_binding);
  std::string token = newline == std::string::npos
                          ? std::string()
                          : ReplaceAll(raw.substr(newline + 1), "@T@", issued_token);

  bool verified = csrf.Verify(binding, token);
  Check(verified == IndependentlyValid(binding, token), "Verify disagrees with the format");
  CheckGuard(csrf, binding, token, false, verified);
  CheckGuard(csrf, binding, token, true, verified);

  // The issued pair, then each half with one byte changed (position and value from the input).
  Check(csrf.Verify(issued_binding, issued_token), "an issued token does not verify");
  if (size >= 2) {
    std::string other_binding = issued_binding;
    other_binding[data[0] % other_binding.size()] = static_cast<char>(data[1]);
    if (other_binding != issued_binding) {
      Check(!csrf.Verify(other_binding, issued_token), "a token verifies for another binding");
    }
    std::string other_token = issued_token;
    other_token[data[1] % other_token.size()] = static_cast<char>(data[0]);
    if (other_token != issued_token) {
      Check(!csrf.Verify(issued_binding, other_token), "a token with one byte changed verifies");
    }
  }
  return 0;
}
