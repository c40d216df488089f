#include "http/trusted_proxies.h"

#include <gtest/gtest.h>

namespace latchkey::http {
namespace {

TrustedProxies Proxies(std::initializer_list<const char*> cidrs) {
  TrustedProxies p;
  for (const char* c : cidrs) {
    auto n = TrustedProxies::ParseCidr(c);
    EXPECT_TRUE(n) << c;
    if (n) p.Add(*n);
  }
  return p;
}

TEST(TrustedProxiesTest, ParseCidr_ValidAndInvalid_AsExpected) {
  struct Case {
    const char* input;
    bool ok;
  };
  for (const Case& c : {Case{"10.0.0.0/8", true}, Case{"192.168.1.0/24", true},
                        Case{"127.0.0.1", true}, Case{"0.0.0.0/0", true}, Case{"fd00::/8", true},
                        Case{"::1", true}, Case{"2001:db8::/32", true}, Case{" 10.0.0.0/8 ", true},
                        Case{"10.0.0.1/8", false},  // host bits set
                        Case{"10.0.0.0/33", false}, Case{"fd00::/129", false},
                        Case{"10.0.0/8", false}, Case{"", false}, Case{"localhost", false},
                        Case{"10.0.0.0/", false}, Case{"/8", false}, Case{"fd00::1/8", false}}) {
    EXPECT_EQ(TrustedProxies::ParseCidr(c.input).has_value(), c.ok) << c.input;
  }
}

TEST(TrustedProxiesTest, Contains_V4V6AndMapped_MatchesPrefixOnly) {
  TrustedProxies p = Proxies({"10.0.0.0/8", "192.168.1.128/25", "fd00::/8", "::1"});
  struct Case {
    const char* ip;
    bool in;
  };
  for (const Case& c :
       {Case{"10.1.2.3", true}, Case{"11.0.0.1", false}, Case{"192.168.1.128", true},
        Case{"192.168.1.255", true}, Case{"192.168.1.127", false}, Case{"fd12:3456::1", true},
        Case{"fe80::1", false}, Case{"::1", true}, Case{"::2", false},
        Case{"::ffff:10.9.9.9", true},  // IPv4-mapped peer of a dual-stack listener
        Case{"::ffff:11.0.0.1", false}, Case{"not an ip", false}, Case{"", false}}) {
    EXPECT_EQ(p.Contains(c.ip), c.in) << c.ip;
  }
  EXPECT_FALSE(TrustedProxies().Contains("127.0.0.1")) << "no proxies: nothing trusted";
}

TEST(TrustedProxiesTest, Resolve_ForwardedFor_RightMostUntrustedWins) {
  TrustedProxies p = Proxies({"127.0.0.0/8", "10.0.0.0/8"});
  struct Case {
    const char* peer;
    const char* xff;
    const char* expected;
  };
  for (const Case& c : {
           Case{"127.0.0.1", "", "127.0.0.1"},                             // no header: the proxy
           Case{"127.0.0.1", "203.0.113.9", "203.0.113.9"},                // one hop
           Case{"127.0.0.1", "198.51.100.1, 203.0.113.9", "203.0.113.9"},  // left part forged
           Case{"127.0.0.1", "203.0.113.9, 10.1.1.1", "203.0.113.9"},      // proxy chain
           Case{"127.0.0.1", "10.2.2.2, 10.1.1.1", "10.2.2.2"},            // all trusted
           Case{"127.0.0.1", "garbage, 203.0.113.9", "203.0.113.9"},
           Case{"127.0.0.1", "203.0.113.9, garbage", "127.0.0.1"},  // broken chain: last hop
           Case{"127.0.0.1", "198.51.100.1,,10.1.1.1", "198.51.100.1"},
           Case{"127.0.0.1", "[2001:db8::1]:4711", "2001:db8::1"},
           Case{"127.0.0.1", "203.0.113.9:4711", "203.0.113.9"},
           Case{"127.0.0.1", "2001:db8::2", "2001:db8::2"},
           Case{"::ffff:127.0.0.1", "203.0.113.9", "203.0.113.9"},
           Case{"192.0.2.1", "203.0.113.9", "192.0.2.1"},  // peer not a proxy: header ignored
       }) {
    EXPECT_EQ(p.Resolve(c.peer, c.xff, "").ip, c.expected) << c.peer << " / " << c.xff;
  }
}

TEST(TrustedProxiesTest, Resolve_ForwardedProto_OnlyFromTrustedPeer) {
  TrustedProxies p = Proxies({"127.0.0.1"});
  EXPECT_TRUE(p.Resolve("127.0.0.1", "", "https").https);
  EXPECT_TRUE(p.Resolve("127.0.0.1", "", "HTTPS").https);
  EXPECT_TRUE(p.Resolve("127.0.0.1", "", "http, https").https) << "the nearest proxy's value";
  EXPECT_FALSE(p.Resolve("127.0.0.1", "", "https, http").https);
  EXPECT_FALSE(p.Resolve("127.0.0.1", "", "http").https);
  EXPECT_FALSE(p.Resolve("127.0.0.1", "", "").https);
  EXPECT_FALSE(p.Resolve("127.0.0.2", "", "https").https) << "untrusted peer";
  EXPECT_FALSE(TrustedProxies().Resolve("127.0.0.1", "203.0.113.9", "https").https);
  EXPECT_EQ(TrustedProxies().Resolve("127.0.0.1", "203.0.113.9", "https").ip, "127.0.0.1");
}

}  // namespace
}  // namespace latchkey::http
