// Crashes found by the fuzz targets (fuzz/), each reproduced here so the normal suite keeps
// them fixed; the inputs themselves are in fuzz/regressions/<target>/.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/keyring.h"
#include "session/csrf.h"
#include "session/session_token.h"
#include "test_support.h"

namespace latchkey {
namespace {

crypto::Keyring Ring() {
  std::vector<Secret> keys;
  keys.emplace_back(std::string(32, 'k'));
  return crypto::Keyring(std::move(keys));
}

// Every spelling of `value` with one '_' at or after `from` replaced by a byte 0x80-0xFF.
std::vector<std::string> HighByteSpellings(const std::string& value, std::size_t from) {
  std::vector<std::string> out;
  for (std::size_t i = value.find('_', from); i != std::string::npos; i = value.find('_', i + 1)) {
    for (int c : {0x80, 0xDF, 0xFF}) {
      std::string s = value;
      s[i] = static_cast<char>(c);
      out.push_back(s);
    }
  }
  return out;
}

// fuzz/regressions/fuzz_csrf/libsodium-high-byte-for-underscore: libsodium 1.0.18 decodes a
// byte 0x80-0xFF where base64url has '_'.
TEST(Base64UrlDecode_HighByteForUnderscore, Refused) {
  ASSERT_EQ(crypto::Base64UrlDecode("__8"), std::string("\xff\xff", 2));
  EXPECT_FALSE(crypto::Base64UrlDecode("_\xdf"
                                       "8")
                   .has_value());
  EXPECT_FALSE(crypto::Base64UrlDecode("\x80_8").has_value());
  unsigned char out[2];
  EXPECT_TRUE(crypto::Base64UrlDecodeExact("__8", out));
  EXPECT_FALSE(
      crypto::Base64UrlDecodeExact("_\xff"
                                   "8",
                                   out));
}

// fuzz/regressions/fuzz_cookies/libsodium-high-byte-for-underscore: a session cookie whose MAC
// has a '_' re-spelled with a high byte verified as the original.
TEST(SessionTokenVerify_HighByteInMac, NotVerified) {
  testing::TempDir init;  // sodium_init
  crypto::Keyring ring = Ring();
  session::SessionTokenCodec codec(ring);
  int checked = 0;
  for (int i = 0; i < 200 && checked == 0; ++i) {  // P(no '_' in 200 MACs) ~ 2^-200
    session::IssuedToken issued = codec.Issue();
    ASSERT_EQ(codec.Verify(issued.cookie_value.Reveal()), issued.token_hash);
    for (const std::string& forged :
         HighByteSpellings(std::string(issued.cookie_value.Reveal()), 44)) {
      EXPECT_FALSE(codec.Verify(forged).has_value()) << "verified a re-spelled MAC";
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

// fuzz/regressions/fuzz_csrf/libsodium-high-byte-for-underscore: the same for CSRF tokens and
// bindings.
TEST(CsrfVerify_HighByteInTokenOrBinding, NotVerified) {
  testing::TempDir init;
  crypto::Keyring ring = Ring();
  session::CsrfTokens csrf(ring);
  int checked = 0;
  for (int i = 0; i < 200 && checked == 0; ++i) {
    std::string binding = session::CsrfTokens::NewBinding();
    std::string token = csrf.Issue(binding);
    ASSERT_TRUE(csrf.Verify(binding, token));
    for (const std::string& forged : HighByteSpellings(token, 0)) {
      EXPECT_FALSE(csrf.Verify(binding, forged)) << "verified a re-spelled token";
      ++checked;
    }
    for (const std::string& forged : HighByteSpellings(binding, 0)) {
      EXPECT_FALSE(session::CsrfTokens::IsWellFormedBinding(forged));
    }
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace latchkey
