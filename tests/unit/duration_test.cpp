#include "app/duration.h"

#include <gtest/gtest.h>

namespace latchkey::app {
namespace {

TEST(ParseDuration_Table, UnitsAndErrors) {
  EXPECT_EQ(ParseDuration("30d"), 30LL * 86400);
  EXPECT_EQ(ParseDuration("2h"), 7200);
  EXPECT_EQ(ParseDuration("15m"), 900);
  EXPECT_EQ(ParseDuration("90s"), 90);
  EXPECT_EQ(ParseDuration("120"), 120);
  EXPECT_EQ(ParseDuration(""), std::nullopt);
  EXPECT_EQ(ParseDuration("d"), std::nullopt);
  EXPECT_EQ(ParseDuration("-5s"), std::nullopt);
  EXPECT_EQ(ParseDuration("5w"), std::nullopt);
  EXPECT_EQ(ParseDuration("1.5h"), std::nullopt);
  EXPECT_EQ(ParseDuration("99999999999999999999d"), std::nullopt);
}

}  // namespace
}  // namespace latchkey::app
