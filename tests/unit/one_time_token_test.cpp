#include "onetime/one_time_token.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "crypto/encoding.h"

namespace latchkey::onetime {
namespace {

crypto::Keyring Ring(char fill) {
  std::vector<Secret> keys;
  keys.emplace_back(std::string(32, fill));
  return crypto::Keyring(std::move(keys));
}

constexpr UnixTime kNow = FromUnixSeconds(1'700'000'000);

TEST(Minter_Mint, TokenIs256BitsStoredOnlyAsItsSha256) {
  auto ring = Ring('k');
  Minter minter(ring);
  auto m = minter.Mint(identity::UserId(7), Purpose::kRecovery, true, "", kNow);
  EXPECT_TRUE(LooksLikeToken(m.token.Reveal()));
  EXPECT_EQ(crypto::Base64UrlDecode(m.token.Reveal())->size(), kTokenBytes);
  EXPECT_EQ(m.record.token_hash, crypto::Sha256Hex(m.token.Reveal()));
  EXPECT_EQ(m.record.token_hash, HashToken(m.token.Reveal()));
  EXPECT_EQ(m.record.token_hash.find(m.token.Reveal()), std::string::npos);
  EXPECT_EQ(m.code.Reveal().size(), kCodeDigits);
  EXPECT_EQ(m.record.code_hash.find(m.code.Reveal()), std::string::npos);
  EXPECT_EQ(m.record.user_id, identity::UserId(7));
  EXPECT_EQ(m.record.expires_at, kNow + std::chrono::minutes(30));
}

TEST(Minter_Mint, LifetimesPerPurpose) {
  EXPECT_EQ(LifetimeOf(Purpose::kRecovery), std::chrono::minutes(30));
  EXPECT_EQ(LifetimeOf(Purpose::kVerifyEmail), std::chrono::hours(24));
  EXPECT_EQ(LifetimeOf(Purpose::kUndoEmailChange), std::chrono::hours(72));
}

TEST(Minter_Mint, WithoutCode_NoCodeHash) {
  auto ring = Ring('k');
  Minter minter(ring);
  auto m = minter.Mint(identity::UserId(1), Purpose::kUndoEmailChange, false, "a@b.org", kNow);
  EXPECT_TRUE(m.code.empty());
  EXPECT_TRUE(m.record.code_hash.empty());
  EXPECT_EQ(m.record.data, "a@b.org");
  EXPECT_FALSE(minter.CodeMatches(m.record, "00000000"));
}

TEST(Minter_Mint, TokensAndCodesDiffer) {
  auto ring = Ring('k');
  Minter minter(ring);
  std::set<std::string> tokens, codes;
  for (int i = 0; i < 200; ++i) {
    auto m = minter.Mint(identity::UserId(1), Purpose::kRecovery, true, "", kNow);
    tokens.insert(std::string(m.token.Reveal()));
    codes.insert(std::string(m.code.Reveal()));
    for (char c : m.code.Reveal()) EXPECT_TRUE(c >= '0' && c <= '9');
  }
  EXPECT_EQ(tokens.size(), 200u);
  EXPECT_GT(codes.size(), 195u);  // 10^8 values: a collision or two at most
}

TEST(Minter_CodeMatches, TypedFormsAndRefusals) {
  auto ring = Ring('k');
  Minter minter(ring);
  auto m = minter.Mint(identity::UserId(3), Purpose::kRecovery, true, "", kNow);
  std::string d(m.code.Reveal());
  EXPECT_TRUE(minter.CodeMatches(m.record, d));
  EXPECT_TRUE(minter.CodeMatches(m.record, d.substr(0, 4) + " " + d.substr(4)));
  EXPECT_TRUE(minter.CodeMatches(m.record, d.substr(0, 4) + "-" + d.substr(4)));
  std::string wrong = d;
  wrong[7] = wrong[7] == '9' ? '0' : static_cast<char>(wrong[7] + 1);
  EXPECT_FALSE(minter.CodeMatches(m.record, wrong));
  EXPECT_FALSE(minter.CodeMatches(m.record, d.substr(0, 7)));
  EXPECT_FALSE(minter.CodeMatches(m.record, d + "0"));
  EXPECT_FALSE(minter.CodeMatches(m.record, ""));
  EXPECT_FALSE(minter.CodeMatches(m.record, "abcdefgh"));
  // A code belongs to its token: the same digits on another token do not match.
  auto other = minter.Mint(identity::UserId(3), Purpose::kRecovery, true, "", kNow);
  EXPECT_FALSE(minter.CodeMatches(other.record, d) && other.code.Reveal() != d);
  // Another key (a stolen database without the keyring) cannot test codes.
  auto ring2 = Ring('z');
  Minter stranger(ring2);
  EXPECT_FALSE(stranger.CodeMatches(m.record, d));
}

TEST(OneTimeToken_Shapes, LooksLikeTokenAndCodes) {
  EXPECT_TRUE(LooksLikeToken(std::string(43, 'A')));
  EXPECT_FALSE(LooksLikeToken(std::string(42, 'A')));
  EXPECT_FALSE(LooksLikeToken(std::string(44, 'A')));
  EXPECT_FALSE(LooksLikeToken(std::string(42, 'A') + "="));
  EXPECT_EQ(NormalizeCode("1234 5678"), "12345678");
  EXPECT_EQ(NormalizeCode("1234-5678"), "12345678");
  EXPECT_FALSE(NormalizeCode("1234567"));
  EXPECT_FALSE(NormalizeCode("1234567x"));
  EXPECT_EQ(GroupCode("12345678"), "1234 5678");
  EXPECT_EQ(PurposeNamed("recovery"), Purpose::kRecovery);
  EXPECT_EQ(PurposeNamed(PurposeName(Purpose::kUndoEmailChange)), Purpose::kUndoEmailChange);
  EXPECT_FALSE(PurposeNamed("other"));
}

}  // namespace
}  // namespace latchkey::onetime
