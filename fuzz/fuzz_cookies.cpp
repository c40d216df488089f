// libFuzzer target: the Cookie header parser (http/cookies.h FindCookie) and the session
// cookie's signature check (session/session_token.h Verify, through api::SessionCookies as
// every handler reads it), with a fixed keyring (support/fuzz_keys.h).
//
// Input: a Cookie header. The three bytes "@S@" in it are replaced by a correctly signed
// session cookie value (of a fixed token), so the fuzzer works from valid cookies too.
// Invariants (a violation aborts: a crash):
// - FindCookie's value lies inside the header, holds no ';' and has no outer blank; a name
//   present twice gives nothing.
// - SessionCookies::TokenHash(request) == Verify(FindCookie(header, name)) for both names.
// - A value that verifies is exactly "<token>.<canonical base64url of HMAC(key, token)>" under
//   one of the keyring's keys, and its token hash is SHA-256(token): only what was signed
//   verifies (no malleable encodings, no prefix or suffix tricks).
// - The issued cookie round-trips (Issue -> Verify gives the issued hash), and that cookie
//   with one byte changed (position and value taken from the input) never verifies.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/cookie_policy.h"
#include "api/session_cookies.h"
#include "crypto/encoding.h"
#include "http/cookies.h"
#include "session/session_token.h"
#include "support/fuzz_keys.h"

namespace {

using latchkey::fuzz::Check;
namespace crypto = latchkey::crypto;
namespace http = latchkey::http;

constexpr std::size_t kTokenChars = 43;

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

void CheckFound(std::string_view header, std::string_view name) {
  auto value = http::FindCookie(header, name);
  if (!value) return;
  Check(value->data() >= header.data() &&
            value->data() + value->size() <= header.data() + header.size(),
        "FindCookie value outside the header");
  Check(value->find(';') == std::string_view::npos, "FindCookie value holds ';'");
  // Blanks are trimmed around the pair; only a quoted value can hold them at its ends.
  bool quoted = value->data() > header.data() && value->data()[-1] == '"';
  if (!quoted && !value->empty()) {
    Check(!IsBlank(value->front()) && !IsBlank(value->back()), "FindCookie value not trimmed");
  }
}

// True when value is token "." base64url(MAC) under exactly one recomputed key.
bool SignedByKnownKey(std::string_view value) {
  if (value.size() != 2 * kTokenChars + 1 || value[kTokenChars] != '.') return false;
  std::string_view token = value.substr(0, kTokenChars);
  std::string_view mac = value.substr(kTokenChars + 1);
  for (const crypto::Keyring* ring :
       {&latchkey::fuzz::OldKeyOnly(), &latchkey::fuzz::NewKeyOnly()}) {
    if (crypto::Base64UrlEncode(ring->Mac("session", token)) == mac) return true;
  }
  return false;
}

void CheckVerify(const latchkey::session::SessionTokenCodec& codec,
                 const latchkey::api::SessionCookies& cookies, const std::string& header,
                 bool tls) {
  std::string_view name = latchkey::api::SessionCookieName(tls);
  CheckFound(header, name);
  auto value = http::FindCookie(header, name);
  std::optional<latchkey::session::TokenHash> direct = value ? codec.Verify(*value) : std::nullopt;
  http::Request request;
  request.cookie = header;
  request.tls = tls;
  Check(cookies.TokenHash(request) == direct, "TokenHash differs from Verify(FindCookie)");
  if (direct) {
    Check(SignedByKnownKey(*value), "a value verified that no key signed exactly");
    Check(direct->value() == crypto::Sha256Hex(value->substr(0, kTokenChars)),
          "verified hash is not SHA-256 of the token");
  }
}

// What SessionTokenCodec::Issue makes, for a fixed token (Issue draws a random one): the
// same cookie in every run, so a crash input replays.
latchkey::session::IssuedToken FixedIssue() {
  const std::string token = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz_Ab";
  latchkey::session::IssuedToken out;
  out.cookie_value = latchkey::Secret(
      token + "." + crypto::Base64UrlEncode(latchkey::fuzz::NewKeyOnly().Mac("session", token)));
  out.token_hash = latchkey::session::TokenHash(crypto::Sha256Hex(token));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const latchkey::session::SessionTokenCodec codec(latchkey::fuzz::ServerKeys());
  static const latchkey::api::SessionCookies cookies(codec, latchkey::api::CookiePolicy{});
  static const latchkey::session::IssuedToken issued = FixedIssue();

  static const std::string issued_cookie(issued.cookie_value.Reveal());

  std::string raw(reinterpret_cast<const char*>(data), size);
  std::string header = ReplaceAll(raw, "@S@", issued_cookie);
  CheckVerify(codec, cookies, header, false);
  CheckVerify(codec, cookies, header, true);
  // Other names go through the same parser (the CSRF binding cookie, a name from the input).
  CheckFound(header, latchkey::api::kCsrfCookie);
  if (size > 0) CheckFound(header, header.substr(0, std::min<std::size_t>(size, 16) / 2));

  // Round trip (of the fixed cookie, and of one Issue makes), then one byte of the fixed
  // cookie changed.
  auto round = codec.Verify(issued_cookie);
  Check(round && *round == issued.token_hash, "an issued cookie does not verify");
  latchkey::session::IssuedToken fresh = codec.Issue();
  Check(codec.Verify(fresh.cookie_value.Reveal()) == fresh.token_hash,
        "Issue() does not round-trip");
  if (size >= 2) {
    std::string mutated = issued_cookie;
    std::size_t at = data[0] % mutated.size();
    mutated[at] = static_cast<char>(data[1]);
    if (mutated != issued_cookie) {
      Check(!codec.Verify(mutated), "a cookie with one byte changed verifies");
    }
    // Truncated or extended by the rest of the input: never valid either.
    std::string extended = issued_cookie + raw.substr(2);
    if (size > 2) Check(!codec.Verify(extended), "an extended cookie verifies");
    Check(!codec.Verify(std::string_view(issued_cookie).substr(0, at)),
          "a truncated cookie verifies");
  }
  return 0;
}
