#include "session/csrf.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace latchkey::session {
namespace {

class CsrfTest : public ::testing::Test {
 protected:
  static crypto::Keyring Ring(char fill) {
    std::vector<Secret> keys;
    keys.emplace_back(std::string(32, fill));
    return crypto::Keyring(std::move(keys));
  }
  testing::TempDir init_sodium_;
  crypto::Keyring ring_ = Ring('k');
  CsrfTokens csrf_{ring_};
};

TEST_F(CsrfTest, Issue_EachRenderDiffersAndAllVerify) {
  std::string binding = CsrfTokens::NewBinding();
  ASSERT_TRUE(CsrfTokens::IsWellFormedBinding(binding));
  std::string a = csrf_.Issue(binding);
  std::string b = csrf_.Issue(binding);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(csrf_.Verify(binding, a));
  EXPECT_TRUE(csrf_.Verify(binding, b));
}

TEST_F(CsrfTest, Verify_TokenOfAnotherBrowser_Fails) {
  std::string mine = CsrfTokens::NewBinding();
  std::string theirs = CsrfTokens::NewBinding();
  EXPECT_FALSE(csrf_.Verify(mine, csrf_.Issue(theirs)));
}

TEST_F(CsrfTest, Verify_Malformed_Fails) {
  std::string binding = CsrfTokens::NewBinding();
  std::string token = csrf_.Issue(binding);
  std::string flipped = token;
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {std::string(), token.substr(1), token + "A", flipped, std::string(64, 'A')}) {
    EXPECT_FALSE(csrf_.Verify(binding, bad)) << "token '" << bad << "'";
  }
  EXPECT_FALSE(csrf_.Verify("", token));
  EXPECT_FALSE(csrf_.Verify(binding.substr(1), token));
}

TEST_F(CsrfTest, Verify_OtherKey_FailsAndRotatedKeyringAccepts) {
  std::string binding = CsrfTokens::NewBinding();
  auto other_ring = Ring('o');
  CsrfTokens other(other_ring);
  std::string token = csrf_.Issue(binding);
  EXPECT_FALSE(other.Verify(binding, token));
  std::vector<Secret> both;
  both.emplace_back(std::string(32, 'k'));
  both.emplace_back(std::string(32, 'o'));
  crypto::Keyring rotated(std::move(both));
  EXPECT_TRUE(CsrfTokens(rotated).Verify(binding, token));
}

}  // namespace
}  // namespace latchkey::session
