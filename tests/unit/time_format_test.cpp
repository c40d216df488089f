#include "base/time_format.h"

#include <gtest/gtest.h>

namespace latchkey {
namespace {

TEST(FormatRfc3339_KnownInstants, UtcWithZ) {
  EXPECT_EQ(FormatRfc3339(FromUnixSeconds(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(FromUnixSeconds(1700000000)), "2023-11-14T22:13:20Z");
}

TEST(ParseRfc3339, ReadsWhatFormatWrites) {
  for (UnixTime t :
       {FromUnixSeconds(0), FromUnixSeconds(1'764'445'800), FromUnixSeconds(4'102'444'799)}) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t);
  }
}

TEST(ParseRfc3339, RefusesOtherForms) {
  for (const char* text : {"", "2026-11-29", "2026-11-29T19:50:00", "2026-11-29T19:50:00+01:00",
                           "2026-11-29T19:50:00.5Z", "2026-13-29T19:50:00Z", "2026-02-30T19:50:00Z",
                           "2026-11-29 19:50:00Z", "2026-11-29T19:50:00ZZ"}) {
    EXPECT_FALSE(ParseRfc3339(text)) << text;
  }
}

}  // namespace
}  // namespace latchkey
