#include "mail/outgoing_mail.h"

#include <gtest/gtest.h>

namespace latchkey::mail {
namespace {

crypto::Sealer MakeSealer(char fill) {
  return crypto::Sealer(std::vector<Secret>{Secret(std::string(32, fill))});
}

TEST(MailVariables, SealedRoundTrip_NoPlainTokenInThePayload) {
  auto sealer = MakeSealer('k');
  std::map<std::string, std::string> vars{{"link", "https://x.example/recover#token=SECRET123"},
                                          {"code", "493021"},
                                          {"username", "ann \"quoted\" ünïcode"},
                                          {"empty", ""}};
  std::string payload = SealMailVariables(sealer, vars);
  EXPECT_EQ(payload.find("SECRET123"), std::string::npos);
  EXPECT_EQ(payload.find("493021"), std::string::npos);
  auto opened = OpenMailVariables(sealer, payload);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, vars);
}

TEST(MailVariables, Open_RefusesOtherKeysPurposesAndShapes) {
  auto sealer = MakeSealer('k');
  std::string payload = SealMailVariables(sealer, {{"a", "b"}});
  EXPECT_FALSE(OpenMailVariables(MakeSealer('j'), payload)) << "another key";
  EXPECT_FALSE(OpenMailVariables(sealer, sealer.Seal("totp", R"({"a":"b"})"))) << "purpose";
  EXPECT_FALSE(OpenMailVariables(sealer, sealer.Seal("mail", R"(["a"])"))) << "not an object";
  EXPECT_FALSE(OpenMailVariables(sealer, sealer.Seal("mail", R"({"a":1})"))) << "not a string";
  EXPECT_FALSE(OpenMailVariables(sealer, sealer.Seal("mail", "{"))) << "not JSON";
  EXPECT_FALSE(OpenMailVariables(sealer, "")) << "empty";
  EXPECT_TRUE(OpenMailVariables(sealer, sealer.Seal("mail", "{}"))->empty());
}

}  // namespace
}  // namespace latchkey::mail
