#include "http/cookies.h"

#include <gtest/gtest.h>

namespace latchkey::http {
namespace {

TEST(FindCookie_Header, FindsByExactName) {
  EXPECT_EQ(FindCookie("a=1; b=2", "b"), "2");
  EXPECT_EQ(FindCookie("a=1;b=2", "a"), "1");
  EXPECT_EQ(FindCookie("  a = 1 ", "a"), "1");
  EXPECT_EQ(FindCookie("a=\"q\"", "a"), "q");
  EXPECT_EQ(FindCookie("ab=1", "a"), std::nullopt);
  EXPECT_EQ(FindCookie("", "a"), std::nullopt);
  EXPECT_EQ(FindCookie("a", "a"), std::nullopt);
  EXPECT_EQ(FindCookie("a=", "a"), "");
}

TEST(FindCookie_Duplicate, IsTreatedAsAbsent) {
  EXPECT_EQ(FindCookie("s=1; x=0; s=2", "s"), std::nullopt);
  EXPECT_EQ(FindCookie("s=1; s=1", "s"), std::nullopt);
}

TEST(SetCookieHeader_Options, WritesAttributes) {
  CookieOptions o;
  o.max_age = 3600;
  EXPECT_EQ(SetCookieHeader("s", "v", o), "s=v; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax");
  o.secure = true;
  o.max_age.reset();
  EXPECT_EQ(SetCookieHeader("s", "v", o), "s=v; Path=/; HttpOnly; SameSite=Lax; Secure");
  EXPECT_EQ(ClearCookieHeader("s", o),
            "s=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; "
            "SameSite=Lax; Secure");
}

}  // namespace
}  // namespace latchkey::http
