// The per-address throttling key (throttle/address_bucket.h): IPv6 per network, IPv4-mapped
// IPv6 as IPv4, anything else as given.
#include "throttle/address_bucket.h"

#include <gtest/gtest.h>

namespace latchkey::throttle {
namespace {

TEST(AddressBucket, Table) {
  struct Case {
    const char* ip;
    int prefix;
    const char* bucket;
  };
  for (const Case& c : {
           Case{"192.0.2.7", 64, "192.0.2.7"},
           Case{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64, "2001:db8:1:2::/64"},
           Case{"2001:db8:1:2::1", 64, "2001:db8:1:2::/64"},
           Case{"2001:DB8:1:2::ffff", 64, "2001:db8:1:2::/64"},
           Case{"2001:db8:1:3::1", 64, "2001:db8:1:3::/64"},
           Case{"2001:db8:1:2::1", 48, "2001:db8:1::/48"},
           Case{"2001:db8:1:2::1", 128, "2001:db8:1:2::1/128"},
           Case{"::ffff:192.0.2.7", 64, "192.0.2.7"},
           Case{"::1", 64, "::/64"},
           Case{"fe80::1%2", 64, "fe80::/64"},
           Case{"", 64, ""},
           Case{"not an address", 64, "not an address"},
       }) {
    EXPECT_EQ(AddressBucket(c.ip, c.prefix), c.bucket) << c.ip << "/" << c.prefix;
  }
}

TEST(AddressBucket, OneHostStepsThroughItsNetworkInOneBucket) {
  std::string first = AddressBucket("2001:db8:42:7::1", 64);
  for (const char* other :
       {"2001:db8:42:7::2", "2001:db8:42:7:ffff:ffff:ffff:ffff", "2001:db8:42:7:1234::"}) {
    EXPECT_EQ(AddressBucket(other, 64), first) << other;
    EXPECT_NE(AddressBucket(other, 128), AddressBucket("2001:db8:42:7::1", 128)) << other;
  }
}

}  // namespace
}  // namespace latchkey::throttle
