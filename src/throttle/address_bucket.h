// The per-address throttling key of a client IP (issue 18, "IPv6 throttling").
//
// One IPv6 host usually owns a whole /64 (RFC 4291 2.5.4; a home or cloud customer gets at
// least that) and can send from any address in it, so counting per address would let it step
// through 2^64 buckets. IPv6 clients are therefore counted per network prefix (--throttle-ipv6-
// prefix, default 64; OWASP Authentication Cheat Sheet, "Protect Against Automated Attacks").
// An IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 2.5.5.2) is the IPv4 host it maps.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace latchkey::throttle {

// The prefixes --throttle-ipv6-prefix accepts.
inline constexpr int kMinIpv6Prefix = 16;
inline constexpr int kMaxIpv6Prefix = 128;

// `ip` as its bucket: an IPv4 address as itself ("192.0.2.7"); an IPv4-mapped IPv6 address as
// that IPv4 address; another IPv6 address as its network, canonical ("2001:db8:1:2::/64");
// anything that does not parse as an address, unchanged (an empty peer, a test's name).
// `ipv6_prefix`: kMinIpv6Prefix..kMaxIpv6Prefix (128: one bucket per address).
std::string AddressBucket(std::string_view ip, int ipv6_prefix);

}  // namespace latchkey::throttle
