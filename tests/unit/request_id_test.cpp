#include "http/request_id.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <set>
#include <string>

namespace latchkey::http {
namespace {

struct Case {
  const char* label;
  std::string id;
  bool acceptable;
};

TEST(RequestId, IsAcceptableRequestId_Table) {
  const Case cases[] = {
      {"uuid", "123e4567-e89b-12d3-a456-426614174000", true},
      {"one char", "a", true},
      {"every allowed kind", "Az09._:-", true},
      {"128 chars", std::string(128, 'x'), true},
      {"empty", "", false},
      {"129 chars", std::string(129, 'x'), false},
      {"space", "a b", false},
      {"newline (log forging)", "abc\nrequest status=200", false},
      {"quote", "a\"b", false},
      {"slash", "a/b", false},
      {"non-ascii", "caf\xc3\xa9", false},
      {"nul", std::string("a\0b", 3), false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsAcceptableRequestId(c.id), c.acceptable) << c.label;
  }
}

TEST(RequestId, NewRequestId_15Base64UrlInlineAndUnique) {
  ASSERT_GE(sodium_init(), 0);
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    std::string id = NewRequestId();
    ASSERT_EQ(id.size(), kGeneratedRequestIdLength);
    ASSERT_EQ(
        id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos)
        << id;
    // Held in std::string's inline buffer: no allocation per generated id.
    ASSERT_LE(id.size(), std::string().capacity());
    ASSERT_TRUE(IsAcceptableRequestId(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(RequestId, RequestIdFor_KeepsAcceptableReplacesOthers) {
  ASSERT_GE(sodium_init(), 0);
  EXPECT_EQ(RequestIdFor("client-id.1"), "client-id.1");
  std::string replaced = RequestIdFor("bad id");
  EXPECT_NE(replaced, "bad id");
  EXPECT_EQ(replaced.size(), kGeneratedRequestIdLength);
  EXPECT_EQ(RequestIdFor("").size(), kGeneratedRequestIdLength);
}

}  // namespace
}  // namespace latchkey::http
