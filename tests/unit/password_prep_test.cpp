// PreparePassword (identity/password_prep.h): RFC 8265 OpaqueString over the RFC 8264
// FreeformClass, each rule by a labelled input.
#include "identity/password_prep.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace latchkey::identity {
namespace {

struct Case {
  const char* label;
  std::string input;
  std::optional<std::string> prepared;  // nullopt: refused
};

void Check(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    auto r = PreparePassword(c.input, "new_password");
    if (!c.prepared) {
      EXPECT_FALSE(r) << c.label;
      if (!r) {
        EXPECT_EQ(r.error().code, Errc::kInvalidInput) << c.label;
        EXPECT_EQ(r.error().field, "new_password") << c.label;
        EXPECT_FALSE(r.error().message.empty()) << c.label;
      }
      continue;
    }
    ASSERT_TRUE(r) << c.label << ": " << r.error().message;
    EXPECT_EQ(r->Reveal(), *c.prepared) << c.label;
    // Idempotent (RFC 8264 section 7): preparing the prepared form changes nothing.
    auto again = PreparePassword(r->Reveal());
    ASSERT_TRUE(again) << c.label;
    EXPECT_EQ(again->Reveal(), r->Reveal()) << c.label;
  }
}

TEST(PreparePassword_Table, NormalizesToNfc) {
  Check({
      {"ASCII unchanged", "correct horse", "correct horse"},
      {"NFC e-acute unchanged", "caf\u00e9 latte", "caf\u00e9 latte"},
      {"NFD e + combining acute composes", "cafe\u0301 latte", "caf\u00e9 latte"},
      {"NFD A + ring composes", "A\u030angstr\u00f6m", "\u00c5ngstr\u00f6m"},
      {"ANGSTROM SIGN (canonical singleton) becomes A-ring", "\u212bngstr\u00f6m",
       "\u00c5ngstr\u00f6m"},
      {"marks put in canonical order", "a\u0307\u0323bcdefg", "\u1ea1\u0307bcdefg"},
      {"same marks, other order, same result", "a\u0323\u0307bcdefg", "\u1ea1\u0307bcdefg"},
      {"modern conjoining jamo compose into a syllable", "\u1100\u1161\u11a8 pass", "\uac01 pass"},
      {"emoji (astral) unchanged", "\U0001F511\U0001F511 key", "\U0001F511\U0001F511 key"},
  });
}

TEST(PreparePassword_Table, MapsNonAsciiSpacesOnly) {
  Check({
      {"NO-BREAK SPACE U+00A0", "pass\u00a0word", "pass word"},
      {"OGHAM SPACE MARK U+1680", "pass\u1680word", "pass word"},
      {"EN QUAD U+2000 (canonical singleton)", "pass\u2000word", "pass word"},
      {"EM SPACE U+2003", "pass\u2003word", "pass word"},
      {"NARROW NO-BREAK SPACE U+202F", "pass\u202fword", "pass word"},
      {"MEDIUM MATHEMATICAL SPACE U+205F", "pass\u205fword", "pass word"},
      {"IDEOGRAPHIC SPACE U+3000", "pass\u3000word", "pass word"},
      {"no trimming: leading and trailing spaces kept", "  pass word  ", "  pass word  "},
      {"no trimming: mapped edge spaces kept", "\u00a0password\u3000", " password "},
      {"spaces only", "        ", "        "},
  });
}

TEST(PreparePassword_Table, FoldsNeitherCaseNorCompatibility) {
  Check({
      {"upper case kept", "PassWORD", "PassWORD"},
      {"sharp s not folded to ss", "stra\u00dfe12", "stra\u00dfe12"},
      {"dotted capital I kept", "\u0130stanbul", "\u0130stanbul"},
      {"final sigma kept", "\u03bb\u03cc\u03b3\u03bf\u03c2", "\u03bb\u03cc\u03b3\u03bf\u03c2"},
      {"LATIN SMALL LIGATURE FI U+FB01 not folded", "\ufb01nance", "\ufb01nance"},
      {"FULLWIDTH A U+FF21 kept (no width mapping)", "\uff21bcdefgh", "\uff21bcdefgh"},
      {"CIRCLED DIGIT ONE kept", "\u2460\u2461\u2462", "\u2460\u2461\u2462"},
      {"VULGAR FRACTION ONE HALF kept", "\u00bd cup", "\u00bd cup"},
      {"SUPERSCRIPT TWO kept", "e=mc\u00b2", "e=mc\u00b2"},
  });
}

TEST(PreparePassword_Table, RefusesWhatFreeformClassDisallows) {
  Check({
      {"empty", "", std::nullopt},
      {"TAB (Cc)", "pass\tword", std::nullopt},
      {"NUL (Cc)", std::string("pass\0word", 9), std::nullopt},
      {"LF (Cc)", "password\n", std::nullopt},
      {"CR (Cc)", "pass\rword", std::nullopt},
      {"U+0001 (Cc)", "pass\001word", std::nullopt},
      {"DEL (Cc)", "pass\177word", std::nullopt},
      {"C1 NEL U+0085 (Cc)", "pass\u0085word", std::nullopt},
      {"SOFT HYPHEN (default ignorable)", "pass\u00adword", std::nullopt},
      {"ZERO WIDTH SPACE (default ignorable)", "pass\u200bword", std::nullopt},
      {"WORD JOINER (default ignorable)", "pass\u2060word", std::nullopt},
      {"BOM U+FEFF (default ignorable)", "\ufeffpassword", std::nullopt},
      {"LEFT-TO-RIGHT MARK (default ignorable)", "pass\u200eword", std::nullopt},
      {"VARIATION SELECTOR-16 after an emoji", "\u2764\ufe0f password", std::nullopt},
      {"ARABIC NUMBER SIGN U+0600 (Cf)", "pass\u0600word", std::nullopt},
      {"LINE SEPARATOR U+2028 (Zl)", "pass\u2028word", std::nullopt},
      {"PARAGRAPH SEPARATOR U+2029 (Zp)", "pass\u2029word", std::nullopt},
      {"private use U+E000", "pass\ue000word", std::nullopt},
      {"private use U+F8FF", "pass\uf8ffword", std::nullopt},
      {"supplementary private use U+F0000", "pass\U000F0000word", std::nullopt},
      {"unassigned U+0378", "pass\u0378word", std::nullopt},
      {"unassigned U+50000 (plane 5)", "pass\U00050000word", std::nullopt},
      {"noncharacter U+FDD0", "pass\ufdd0word", std::nullopt},
      {"noncharacter U+FFFE", "pass\ufffeword", std::nullopt},
      {"noncharacter U+1FFFF", "pass\U0001FFFFword", std::nullopt},
      {"old Hangul jamo alone U+1100 (Hangul_Syllable_Type L)", "\u1100 password", std::nullopt},
      {"Exception DISALLOWED: ARABIC TATWEEL U+0640", "\u0644\u0640\u0644 pass", std::nullopt},
      {"Exception DISALLOWED: VERTICAL KANA REPEAT MARK U+3031", "\u3042\u3031 pass", std::nullopt},
  });
}

TEST(PreparePassword_Table, AppliesContextualRules) {
  Check({
      {"ZWJ after a virama", "\u0915\u094d\u200d\u0937 pass", "\u0915\u094d\u200d\u0937 pass"},
      {"ZWNJ after a virama", "\u0915\u094d\u200c\u0937 pass", "\u0915\u094d\u200c\u0937 pass"},
      {"ZWJ in an emoji sequence (no virama)", "\U0001F468\u200d\U0001F469 pass", std::nullopt},
      {"ZWNJ between Persian letters (Joining_Type branch not evaluated: refused)",
       "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", std::nullopt},
      {"ZWJ at the start", "\u200dpassword", std::nullopt},
      {"MIDDLE DOT between two l", "col\u00b7legi pass", "col\u00b7legi pass"},
      {"MIDDLE DOT elsewhere", "pass\u00b7word", std::nullopt},
      {"Arabic-Indic digits alone", "\u0661\u0662\u0663 pass", "\u0661\u0662\u0663 pass"},
      {"Extended Arabic-Indic digits alone", "\u06f1\u06f2\u06f3 pass", "\u06f1\u06f2\u06f3 pass"},
      {"the two sets of digits mixed", "\u0661\u06f2 password", std::nullopt},
      {"KATAKANA MIDDLE DOT (Script rule not evaluated: allowed)",
       "\u30b8\u30e7\u30f3\u30fb\u30b9\u30df\u30b9", "\u30b8\u30e7\u30f3\u30fb\u30b9\u30df\u30b9"},
      {"Exception PVALID: sharp s", "\u00dfpassword", "\u00dfpassword"},
  });
}

TEST(PreparePassword_Table, RefusesInvalidUtf8) {
  Check({
      {"0xFF byte", "password\xff", std::nullopt},
      {"overlong slash", "pass\xc0\xafword", std::nullopt},
      {"UTF-8 encoded surrogate U+D800", "pass\xed\xa0\x80word", std::nullopt},
      {"truncated sequence", "password\xe2\x82", std::nullopt},
      {"above U+10FFFF", "pass\xf4\x90\x80\x80word", std::nullopt},
  });
}

TEST(PreparePassword, InvalidUtf8_SaysSoAndNamesTheField) {
  auto r = PreparePassword("pass\xffword", "current_password");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "current_password");
  EXPECT_EQ(r.error().message, "Password must be valid UTF-8 text");
  auto d = PreparePassword("pass\tword");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().field, "password");
  EXPECT_NE(d.error().message.find("control"), std::string::npos) << d.error().message;
}

TEST(PreparePassword, NfcAndNfdOfOnePassword_PrepareToTheSameBytes) {
  auto nfc = PreparePassword("Se\u00f1or Jos\u00e9 \u00fcber \u00c5");
  auto nfd = PreparePassword("Sen\u0303or Jose\u0301 u\u0308ber A\u030a");
  ASSERT_TRUE(nfc);
  ASSERT_TRUE(nfd);
  EXPECT_EQ(nfc->Reveal(), nfd->Reveal());
}

TEST(PreparePassword, UnicodeVersion_IsAtLeast15) {
  // Debian 12's utf8proc 2.8.0; the docs (SECURITY.md) name the version.
  std::string v(PasswordUnicodeVersion());
  EXPECT_GE(std::stoi(v), 15) << v;
}

}  // namespace
}  // namespace latchkey::identity
