// The feed's payload format and the text made storable for PostgreSQL: pure functions.
#include <gtest/gtest.h>

#include "store/postgres/session_notify.h"
#include "store/postgres/text.h"

namespace latchkey::store::postgres {
namespace {

TEST(ParseSessionChange, Token_GivesHash) {
  auto c = ParseSessionChange("t:abc123");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->token_hash, session::TokenHash("abc123"));
  EXPECT_FALSE(c->user_id);
}

TEST(ParseSessionChange, User_GivesId) {
  auto c = ParseSessionChange("u:42");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user_id, identity::UserId(42));
  EXPECT_FALSE(c->token_hash);
}

TEST(ParseSessionChange, Mark_GivesItsNumber) {
  auto c = ParseSessionChange("m:9001");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->mark, 9001);
  EXPECT_FALSE(c->token_hash);
  EXPECT_FALSE(c->user_id);
}

TEST(ParseSessionChange, Malformed_IsIgnored) {
  for (const char* payload : {"", "t:", "u:", "u:12x", "u:x", "x:1", "t", "U:1", "m:", "m:1x"}) {
    EXPECT_FALSE(ParseSessionChange(payload)) << payload;
  }
}

TEST(StorableText, ValidUtf8_Unchanged) {
  EXPECT_EQ(StorableText("Mozilla/5.0 (X11) Ünïcødé ✓ 𝄞"), "Mozilla/5.0 (X11) Ünïcødé ✓ 𝄞");
  EXPECT_EQ(StorableText(""), "");
}

TEST(StorableText, InvalidBytesAndNul_BecomeReplacementCharacters) {
  EXPECT_EQ(StorableText("a\xff"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(StorableText(std::string("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(StorableText("\xc3"), "\xEF\xBF\xBD");  // truncated sequence
  EXPECT_EQ(StorableText("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

}  // namespace
}  // namespace latchkey::store::postgres
