#include "identity/validation.h"

#include "base/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace latchkey::identity {
namespace {

using latchkey::CountCodePoints;

struct Case {
  const char* label;
  std::string input;
  bool ok;
};

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(ValidateUsername_Table, FollowsTheRules) {
  std::vector<Case> cases = {
      {"3 chars", "abc", true},
      {"32 chars", std::string(32, 'a'), true},
      {"allowed punctuation", "a.b_c-d", true},
      {"digits and case", "Alice99", true},
      {"2 chars", "ab", false},
      {"33 chars", std::string(33, 'a'), false},
      {"space", "al ice", false},
      {"at sign", "al@ice", false},
      {"non-ASCII", "al\xc3\xa9x", false},
      {"NUL", std::string("abc\0d", 5), false},
      {"empty", "", false},
  };
  for (const auto& c : cases) {
    auto r = ValidateUsername(c.input);
    EXPECT_EQ(bool(r), c.ok) << c.label;
    if (!r) {
      EXPECT_EQ(r.error().field, "username") << c.label;
      EXPECT_EQ(r.error().code, Errc::kInvalidInput);
    }
  }
}

TEST(ValidatePassword_Table, CountsCharactersNotBytes) {
  std::string emoji = "\xf0\x9f\x94\x91";  // U+1F511, 4 bytes
  std::vector<Case> cases = {
      {"7 chars", "1234567", false},
      {"8 chars", "12345678", true},
      {"8 emoji (32 bytes)", Repeat(emoji, 8), true},
      {"7 emoji (28 bytes)", Repeat(emoji, 7), false},
      {"1024 chars", std::string(1024, 'p'), true},
      {"1025 chars", std::string(1025, 'p'), false},
      {"1024 two-byte chars", Repeat("\xc3\xa9", 1024), true},
      {"spaces only", "        ", true},
      {"invalid UTF-8", "abcdefg\xff", false},
      {"overlong encoding", "abcdefg\xc0\xaf", false},
      {"surrogate", "abcdefg\xed\xa0\x80", false},
      {"NUL", std::string("abcd\0efgh", 9), false},
      {"CR", "abcd\refgh", false},
      {"LF", "abcd\nefgh", false},
      {"trailing LF", "abcdefgh\n", false},
      {"tab (passes here; PreparePassword refuses it first)", "abcd\tefgh", true},
      {"other C0 control (passes here; refused by preparation)", "abcd\001efgh", true},
      {"DEL and C1 (pass here; refused by preparation)", "abcd\177\302\205efgh", true},
  };
  for (const auto& c : cases) {
    auto r = ValidatePassword(c.input);
    EXPECT_EQ(bool(r), c.ok) << c.label;
    if (!r) {
      EXPECT_EQ(r.error().field, "password") << c.label;
    }
  }
}

TEST(ValidateName_Table, AllowsUnicodeRefusesControls) {
  std::vector<Case> cases = {
      {"empty", "", true},
      {"100 chars", std::string(100, 'n'), true},
      {"100 non-ASCII chars", Repeat("\xc3\xa9", 100), true},
      {"101 chars", std::string(101, 'n'), false},
      {"CJK", "\xe5\xb1\xb1\xe7\x94\xb0", true},
      {"newline", "a\nb", false},
      {"tab", "a\tb", false},
      {"DEL", "a\x7f", false},
      {"C1 NEL U+0085", "a\xc2\x85", false},
      {"NUL", std::string("a\0b", 3), false},
      {"invalid UTF-8", "a\xff", false},
  };
  for (const auto& c : cases) {
    auto r = ValidateName(c.input);
    EXPECT_EQ(bool(r), c.ok) << c.label;
    if (!r) {
      EXPECT_EQ(r.error().field, "name") << c.label;
    }
  }
}

TEST(CountCodePoints_Inputs, CountsOrRejects) {
  EXPECT_EQ(CountCodePoints("abc"), 3u);
  EXPECT_EQ(CountCodePoints("\xe2\x82\xac"), 1u);
  EXPECT_EQ(CountCodePoints("\xe2\x82"), std::nullopt);
  EXPECT_EQ(CountCodePoints("\xf4\x90\x80\x80"), std::nullopt) << "above U+10FFFF";
}

}  // namespace
}  // namespace latchkey::identity
