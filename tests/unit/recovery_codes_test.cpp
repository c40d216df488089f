// mfa/recovery_codes.h and mfa/qr_svg.h: a set of ten distinct 60-bit codes in groups of
// four, read back whatever the case, spacing and look-alike letters; anything else refused.
// The QR code of an otpauth URI is one SVG with a title and the quiet zone.
#include "mfa/recovery_codes.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

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
  // Version 4 at level M holds 62 bytes... this URI (71 bytes) needs version 5: 37 modules,
  // 45 with the quiet zone.
  EXPECT_NE(svg->find("viewBox=\"0 0 45 45\""), std::string::npos) << svg->substr(0, 120);
  EXPECT_EQ(svg->find("M0,"), std::string::npos) << "nothing drawn in the quiet zone";
  EXPECT_NE(svg->find("M4,4h1v1h-1z"), std::string::npos) << "the finder pattern's corner";
}

TEST(QrSvg, TooLong_Nullopt) { EXPECT_FALSE(QrSvg(std::string(5000, 'a'), "x")); }

}  // namespace
}  // namespace latchkey::mfa
