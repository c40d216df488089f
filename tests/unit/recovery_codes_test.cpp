// mfa/recovery_codes.h and mfa/qr_svg.h: a set of ten distinct 60-bit codes in groups of
// four, read back whatever the case, spacing and look-alike letters; anything else refused.
// The QR code of an otpauth URI is one SVG with a title and the quiet zone.
#include "mfa/recovery_codes.h"

#include <gtest/gtest.h>

#include <qrencode.h>

#include <memory>
#include <regex>
#include <set>
#include <utility>

#include "mfa/qr_svg.h"

namespace latchkey::mfa {
namespace {

TEST(RecoveryCodes, NewSet_TenDistinctCodesOfTwelveSymbolsInThreeGroups) {
  auto codes = NewRecoveryCodes();
  ASSERT_EQ(codes.size(), kRecoveryCodeCount);
  std::set<std::string> distinct(codes.begin(), codes.end());
  EXPECT_EQ(distinct.size(), codes.size());
  const std::regex shape("[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}");
  for (const auto& code : codes) {
    EXPECT_TRUE(std::regex_match(code, shape)) << code;
    EXPECT_EQ(CanonicalRecoveryCode(code), code.substr(0, 4) + code.substr(5, 4) + code.substr(10));
  }
  EXPECT_NE(NewRecoveryCodes(), codes);
}

TEST(RecoveryCodes, Canonical_CaseSpacesDashesAndLookAlikes) {
  EXPECT_EQ(CanonicalRecoveryCode("7K2M-X9QD-4HTE"), "7k2mx9qd4hte");
  EXPECT_EQ(CanonicalRecoveryCode(" 7k2m x9qd 4hte "), "7k2mx9qd4hte");
  EXPECT_EQ(CanonicalRecoveryCode("7k2mx9qd4hte"), "7k2mx9qd4hte");
  EXPECT_EQ(CanonicalRecoveryCode("o1il-0000-0000"),
            "0111"
            "0000"
            "0000");
}

TEST(RecoveryCodes, Canonical_WrongLengthOrSymbols_Refused) {
  for (const char* typed : {"", "7k2m-x9qd-4ht", "7k2m-x9qd-4htee", "7k2m-x9qd-4htu",
                            "7k2m_x9qd_4hte", "7k2m-x9qd-4ht\xc3\xa9"}) {
    EXPECT_FALSE(CanonicalRecoveryCode(typed)) << typed;
  }
  EXPECT_FALSE(CanonicalRecoveryCode(std::string(100, '-') + "7k2mx9qd4hte"));
}

TEST(QrSvg, OtpauthUri_OneSvgWithTitleAndQuietZone) {
  auto svg = QrSvg("otpauth://totp/Latchkey:ada?secret=GEZDGNBVGY3TQOJQ&issuer=Latchkey",
                   "Scan <this> & enrol");
  ASSERT_TRUE(svg);
  EXPECT_EQ(svg->rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", 0), 0u);
  EXPECT_NE(svg->find("<title>Scan &lt;this&gt; &amp; enrol</title>"), std::string::npos);
  // This URI (67 bytes) needs version 5 at level M: 37 modules, 45 with the quiet zone.
  EXPECT_NE(svg->find("viewBox=\"0 0 45 45\""), std::string::npos) << svg->substr(0, 120);
}

// Every dark module of libqrencode's matrix, and no other, is drawn at (x + 4, y + 4): the
// image is neither transposed nor shifted (a transposed code still shows its three finder
// patterns in the same corners, so those alone prove nothing).
TEST(QrSvg, ModulesDrawnWhereTheEncoderPutThem) {
  const std::string text = "otpauth://totp/Latchkey:ada?secret=GEZDGNBVGY3TQOJQ";
  auto svg = QrSvg(text, "t");
  ASSERT_TRUE(svg);
  std::unique_ptr<QRcode, void (*)(QRcode*)> code(
      QRcode_encodeData(static_cast<int>(text.size()),
                        reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M),
      QRcode_free);
  ASSERT_TRUE(code);
  std::set<std::pair<int, int>> expected;
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width; ++x) {
      if (code->data[y * code->width + x] & 1) expected.emplace(x + 4, y + 4);
    }
  }
  std::set<std::pair<int, int>> drawn;
  const std::regex square("M(\\d+),(\\d+)h1v1h-1z");
  for (auto it = std::sregex_iterator(svg->begin(), svg->end(), square);
       it != std::sregex_iterator(); ++it) {
    drawn.emplace(std::stoi((*it)[1]), std::stoi((*it)[2]));
  }
  EXPECT_GT(expected.size(), 100u);
  EXPECT_EQ(drawn, expected);
  // Not symmetric: the transposed image would differ (else this test could not tell).
  std::set<std::pair<int, int>> transposed;
  for (auto [x, y] : expected) transposed.emplace(y, x);
  EXPECT_NE(transposed, expected);
}

TEST(QrSvg, TooLong_Nullopt) { EXPECT_FALSE(QrSvg(std::string(5000, 'a'), "x")); }

}  // namespace
}  // namespace latchkey::mfa
