// mfa/totp.h: RFC 6238 Appendix B's SHA-1 vectors (6-digit truncations), the drift window's
// edges (-2..+2 steps), replay of the same step and of an earlier one, the otpauth URI and
// base32. Codes for arbitrary secrets come from Debian's oathtool, an implementation of its
// own CLI (scripts/install-deps.sh --test installs it).
#include "mfa/totp.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

namespace latchkey::mfa {
namespace {

// RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890" (ASCII).
const Secret kRfcSecret("12345678901234567890");

UnixTime At(std::int64_t unix_seconds) { return UnixTime(Seconds(unix_seconds)); }

// `oathtool --totp --now=@T -b SECRET`: the code of T's step; "" when oathtool is missing.
std::string OathtoolCode(const std::string& base32, std::int64_t unix_seconds) {
  std::string cmd =
      "oathtool --totp -b --now=@" + std::to_string(unix_seconds) + " " + base32 + " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) return "";
  std::array<char, 32> buf{};
  std::string out;
  while (fgets(buf.data(), buf.size(), pipe.get()) != nullptr) out += buf.data();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

TEST(Totp, RfcVectors_MatchAtTheirTimes) {
  // Appendix B's 8-digit values, last six digits (dynamic truncation mod 10^6).
  struct Vector {
    std::int64_t time;
    const char* code;
  };
  for (const Vector& v : {Vector{59, "287082"}, Vector{1111111109, "081804"},
                          Vector{1111111111, "050471"}, Vector{1234567890, "005924"},
                          Vector{2000000000, "279037"}, Vector{20000000000, "353130"}}) {
    auto step = MatchTotp(kRfcSecret, v.code, At(v.time), std::nullopt);
    ASSERT_TRUE(step) << "T=" << v.time;
    EXPECT_EQ(*step, v.time / 30);
  }
}

TEST(Totp, DriftWindow_OneStepEitherWayOnly) {
  const std::int64_t now = 1111111109;  // step 37037036
  // The code of each step from two before to two after now's (oathtool), checked at now.
  const std::string b32(TotpSecretBase32(kRfcSecret).Reveal());
  const std::string probe = OathtoolCode(b32, now);
  ASSERT_FALSE(probe.empty()) << "oathtool is missing: scripts/install-deps.sh --test installs it";
  ASSERT_EQ(probe, "081804") << "oathtool agrees with RFC 6238 Appendix B";
  for (int offset = -2; offset <= 2; ++offset) {
    const std::string code = OathtoolCode(b32, now + offset * 30);
    auto step = MatchTotp(kRfcSecret, code, At(now), std::nullopt);
    if (offset >= -1 && offset <= 1) {
      ASSERT_TRUE(step) << "offset " << offset;
      EXPECT_EQ(*step, now / 30 + offset);
    } else {
      EXPECT_FALSE(step) << "offset " << offset << " is outside the drift window";
    }
  }
}

TEST(Totp, SameStepTwice_SecondRefused) {
  auto first = MatchTotp(kRfcSecret, "081804", At(1111111109), std::nullopt);
  ASSERT_TRUE(first);
  EXPECT_FALSE(MatchTotp(kRfcSecret, "081804", At(1111111109), *first));
  EXPECT_FALSE(MatchTotp(kRfcSecret, "081804", At(1111111120), *first)) << "later, same step";
}

TEST(Totp, EarlierStepAfterALaterOne_Refused) {
  const std::string b32(TotpSecretBase32(kRfcSecret).Reveal());
  const std::int64_t now = 1111111109;
  const std::string earlier = OathtoolCode(b32, now - 30);
  const std::string current = OathtoolCode(b32, now);
  ASSERT_FALSE(earlier.empty()) << "oathtool is missing";
  auto accepted = MatchTotp(kRfcSecret, current, At(now), std::nullopt);
  ASSERT_TRUE(accepted);
  EXPECT_TRUE(MatchTotp(kRfcSecret, earlier, At(now), std::nullopt)) << "valid on its own";
  EXPECT_FALSE(MatchTotp(kRfcSecret, earlier, At(now), *accepted)) << "older than the last";
}

TEST(Totp, MalformedCodes_NeverMatch) {
  for (const char* code : {"", "08180", "0818044", "08180a", " 81804", "081 804", "-81804"}) {
    EXPECT_FALSE(MatchTotp(kRfcSecret, code, At(1111111109), std::nullopt)) << code;
  }
  EXPECT_FALSE(MatchTotp(kRfcSecret, "081805", At(1111111109), std::nullopt)) << "one digit off";
}

TEST(Totp, FreshSecret_160BitsRoundTripsThroughBase32AndOathtoolAgrees) {
  Secret secret = NewTotpSecret();
  ASSERT_EQ(secret.size(), kTotpSecretBytes);
  EXPECT_NE(secret.Reveal(), NewTotpSecret().Reveal());
  const std::string b32(TotpSecretBase32(secret).Reveal());
  EXPECT_EQ(b32.size(), 32u) << "160 bits: 32 base32 characters, no padding";
  auto back = TotpSecretFromBase32(b32);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->Reveal(), secret.Reveal());
  const std::string code = OathtoolCode(b32, 1700000000);
  ASSERT_FALSE(code.empty()) << "oathtool is missing";
  EXPECT_EQ(MatchTotp(secret, code, At(1700000000), std::nullopt), 1700000000 / 30);
}

TEST(Totp, Base32_LowerCaseAndSpacesAccepted_GarbageRefused) {
  auto secret = TotpSecretFromBase32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq");
  ASSERT_TRUE(secret);
  EXPECT_EQ(secret->Reveal(), "12345678901234567890");
  EXPECT_FALSE(TotpSecretFromBase32("not base32!"));
  EXPECT_FALSE(TotpSecretFromBase32(""));
  EXPECT_FALSE(TotpSecretFromBase32("GEZDGNBVGY3TQOJQGEZDGNBV"))
      << "15 bytes: under the 128 bits of RFC 4226 R6";
  EXPECT_TRUE(TotpSecretFromBase32("GEZDGNBVGY3TQOJQGEZDGNBVGY")) << "16 bytes";
}

TEST(Totp, Uri_KeyUriFormatWithEncodedLabel) {
  EXPECT_EQ(TotpUri("Latchkey Demo", "ada@example.com", Secret("GEZDGNBVGY3TQOJQ")).Reveal(),
            "otpauth://totp/Latchkey%20Demo:ada%40example.com?secret=GEZDGNBVGY3TQOJQ"
            "&issuer=Latchkey%20Demo&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace latchkey::mfa
