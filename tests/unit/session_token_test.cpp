#include "session/session_token.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"
#include "test_support.h"

namespace latchkey::session {
namespace {

crypto::Keyring Ring(char fill) {
  std::vector<Secret> keys;
  keys.emplace_back(std::string(32, fill));
  return crypto::Keyring(std::move(keys));
}

class SessionTokenTest : public ::testing::Test {
 protected:
  testing::TempDir init_sodium_;
  crypto::Keyring ring_ = Ring('a');
  SessionTokenCodec codec_{ring_};
};

TEST_F(SessionTokenTest, Issue_GivesSignedCookieAndHashOfToken) {
  IssuedToken t = codec_.Issue();
  ASSERT_EQ(t.cookie_value.size(), 87u);  // 43 + '.' + 43
  std::string cookie(t.cookie_value.Reveal());
  std::string token = cookie.substr(0, 43);
  EXPECT_EQ(crypto::Base64UrlDecode(token)->size(), 32u) << "256-bit token";
  EXPECT_EQ(t.token_hash.value(), crypto::Sha256Hex(token));
  EXPECT_EQ(t.token_hash.value().find(token), std::string::npos);
  EXPECT_EQ(codec_.Verify(cookie), t.token_hash);
  EXPECT_NE(codec_.Issue().cookie_value.Reveal(), cookie);
}

TEST_F(SessionTokenTest, Verify_TamperedOrUnsigned_IsNoCookie) {
  std::string good = std::string(codec_.Issue().cookie_value.Reveal());
  struct Case {
    const char* label;
    std::string value;
  };
  std::string flip_token = good;
  flip_token[5] = flip_token[5] == 'A' ? 'B' : 'A';
  std::string flip_mac = good;
  flip_mac[80] = flip_mac[80] == 'A' ? 'B' : 'A';
  std::string other = std::string(codec_.Issue().cookie_value.Reveal());
  std::vector<Case> cases = {
      {"empty", ""},
      {"token only", good.substr(0, 43)},
      {"no mac", good.substr(0, 44)},
      {"flipped token char", flip_token},
      {"flipped mac char", flip_mac},
      {"mac of another token", good.substr(0, 44) + other.substr(44)},
      {"trailing byte", good + "A"},
      {"padding", good.substr(0, 86) + "="},
  };
  for (const auto& c : cases) EXPECT_FALSE(codec_.Verify(c.value).has_value()) << c.label;
}

TEST_F(SessionTokenTest, Verify_OtherSecret_Fails) {
  auto other_ring = Ring('b');
  SessionTokenCodec other(other_ring);
  EXPECT_FALSE(other.Verify(codec_.Issue().cookie_value.Reveal()).has_value());
}

}  // namespace
}  // namespace latchkey::session
