#include "crypto/encoding.h"

#include <gtest/gtest.h>

namespace latchkey::crypto {
namespace {

TEST(Base64Url_RoundTrip, ReturnsInput) {
  for (std::string s : {std::string(""), std::string("a"), std::string("\xff\xfe\x00z", 4)}) {
    auto enc = Base64UrlEncode(s);
    EXPECT_EQ(enc.find('='), std::string::npos) << "no padding";
    EXPECT_EQ(enc.find('+'), std::string::npos);
    EXPECT_EQ(enc.find('/'), std::string::npos);
    ASSERT_EQ(Base64UrlDecode(enc), s);
  }
}

TEST(Base64Url_Decode, RejectsStandardAlphabetAndPadding) {
  EXPECT_FALSE(Base64UrlDecode("ab+/").has_value());
  EXPECT_FALSE(Base64UrlDecode("YQ==").has_value());
  EXPECT_FALSE(Base64UrlDecode("YQ.").has_value());
}

TEST(Sha256Hex_KnownVector, MatchesFips180) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ConstantTimeEquals_Inputs, ComparesBytesAndSizes) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace latchkey::crypto
