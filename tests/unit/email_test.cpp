#include "identity/email.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace latchkey::identity {
namespace {

struct Case {
  const char* label;
  std::string input;
  bool ok;
};

TEST(ValidateEmail_Table, FollowsTheRules) {
  std::string local64(64, 'a');
  std::string label63(63, 'b');
  // 64 + 1 + 63 + 1 + 63 + 1 + 61 = 254
  std::string max254 = local64 + "@" + label63 + "." + label63 + "." + std::string(61, 'c');
  std::vector<Case> cases = {
      {"plain", "alice@example.org", true},
      {"subdomain", "a.b@mail.example.co.uk", true},
      {"plus tag", "alice+tag@example.org", true},
      {"atext punctuation", "!#$%&'*+-/=?^_`{|}~@example.org", true},
      {"upper case kept", "Alice@Example.ORG", true},
      {"digits and hyphen in domain", "x@a-1.b2", true},
      {"A-label domain", "x@xn--bcher-kva.example", true},
      {"local part of 64", local64 + "@example.org", true},
      {"label of 63", "x@" + label63 + ".org", true},
      {"254 in all", max254, true},
      {"255 in all", max254 + "c", false},
      {"empty", "", false},
      {"no at", "alice.example.org", false},
      {"two ats", "a@b@example.org", false},
      {"empty local part", "@example.org", false},
      {"local part of 65", std::string(65, 'a') + "@example.org", false},
      {"leading dot", ".alice@example.org", false},
      {"trailing dot", "alice.@example.org", false},
      {"two dots", "al..ice@example.org", false},
      {"space", "al ice@example.org", false},
      {"quoted local part", "\"al ice\"@example.org", false},
      {"non-ASCII local part", "j\xc3\xb6rg@example.org", false},
      {"empty domain", "alice@", false},
      {"single label domain", "alice@localhost", false},
      {"label of 64", "x@" + std::string(64, 'b') + ".org", false},
      {"leading hyphen label", "x@-a.org", false},
      {"trailing hyphen label", "x@a-.org", false},
      {"empty label", "x@a..org", false},
      {"trailing dot domain", "x@example.org.", false},
      {"IP literal", "x@[192.0.2.1]", false},
      {"U-label domain",
       "x@b\xc3\xbc"
       "cher.example",
       false},
      {"underscore in domain", "x@a_b.org", false},
      {"CRLF", "x@example.org\r\nBcc: y@example.org", false},
      {"NUL", std::string("x@exa\0mple.org", 14), false},
  };
  for (const auto& c : cases) {
    auto r = ValidateEmail(c.input);
    EXPECT_EQ(bool(r), c.ok) << c.label;
    if (!r) {
      EXPECT_EQ(r.error().field, "email") << c.label;
      EXPECT_EQ(r.error().code, Errc::kInvalidInput) << c.label;
      EXPECT_FALSE(r.error().message.empty()) << c.label;
    }
  }
}

TEST(ValidateEmail_Idn, MessageNamesTheAsciiForm) {
  auto r = ValidateEmail(
      "x@b\xc3\xbc"
      "cher.example");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("xn--"), std::string::npos);
}

TEST(EmailKey_Table, LowersTheDomainOnly) {
  EXPECT_EQ(EmailKey("Alice@Example.ORG"), "Alice@example.org");
  EXPECT_EQ(EmailKey("alice@example.org"), "alice@example.org");
  EXPECT_NE(EmailKey("Alice@x.org"), EmailKey("alice@x.org"));
  EXPECT_EQ(EmailKey("A.B+C@XN--BCHER-KVA.EXAMPLE"), "A.B+C@xn--bcher-kva.example");
}

TEST(LooksLikeEmail_Table, AtSignDecides) {
  EXPECT_TRUE(LooksLikeEmail("alice@example.org"));
  EXPECT_FALSE(LooksLikeEmail("alice"));
}

}  // namespace
}  // namespace latchkey::identity
