#include "base/time_format.h"

#include <gtest/gtest.h>

namespace latchkey {
namespace {

TEST(FormatRfc3339_KnownInstants, UtcWithZ) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(1700000000), "2023-11-14T22:13:20Z");
}

}  // namespace
}  // namespace latchkey
