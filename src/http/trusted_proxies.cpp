#include "http/trusted_proxies.h"

// Asio's address and network types only (header-only value types, no I/O): Beast and the
// rest of Asio stay in http/server.cpp and http/transport/.
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include <algorithm>
#include <cctype>

namespace latchkey::http {
namespace {

namespace ip = boost::asio::ip;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A literal address; IPv4-mapped IPv6 (::ffff:a.b.c.d, what a dual-stack listener reports
// for IPv4 peers) becomes the IPv4 address so that IPv4 CIDRs match it.
std::optional<ip::address> ParseAddress(std::string_view text) {
  boost::system::error_code ec;
  ip::address a = ip::make_address(text, ec);
  if (ec) return std::nullopt;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return ip::address(ip::make_address_v4(ip::v4_mapped, a.to_v6()));
  }
  return a;
}

// One X-Forwarded-For element: "a.b.c.d", "v6", "[v6]:port" or "a.b.c.d:port".
std::optional<ip::address> ParseForwardedElement(std::string_view e) {
  e = Trim(e);
  if (!e.empty() && e.front() == '[') {
    std::size_t close = e.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    e = e.substr(1, close - 1);
  } else if (std::count(e.begin(), e.end(), ':') == 1) {
    e = e.substr(0, e.find(':'));
  }
  return ParseAddress(e);
}

bool InNetwork(const ip::address& a, const TrustedProxies::Network& n) {
  if (a.is_v6() != n.v6) return false;
  std::array<unsigned char, 16> bytes{};
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), bytes.begin());
  } else {
    auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), bytes.begin());
  }
  unsigned bits = n.prefix;
  for (std::size_t i = 0; bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0) {
    unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((bytes[i] & mask) != (n.bytes[i] & mask)) return false;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::optional<TrustedProxies::Network> TrustedProxies::ParseCidr(std::string_view cidr) {
  cidr = Trim(cidr);
  std::string text(cidr);
  if (text.find('/') == std::string::npos) {
    auto a = ParseAddress(text);
    if (!a) return std::nullopt;
    text = a->to_string() + (a->is_v4() ? "/32" : "/128");
  }
  boost::system::error_code ec;
  Network n;
  if (text.find(':') == std::string::npos) {
    ip::network_v4 net = ip::make_network_v4(text, ec);
    if (ec || net.address() != net.network()) return std::nullopt;
    auto b = net.address().to_bytes();
    std::copy(b.begin(), b.end(), n.bytes.begin());
    n.prefix = static_cast<unsigned>(net.prefix_length());
  } else {
    ip::network_v6 net = ip::make_network_v6(text, ec);
    if (ec || net.address() != net.network()) return std::nullopt;
    auto b = net.address().to_bytes();
    std::copy(b.begin(), b.end(), n.bytes.begin());
    n.prefix = static_cast<unsigned>(net.prefix_length());
    n.v6 = true;
  }
  return n;
}

bool TrustedProxies::Contains(std::string_view ip) const {
  auto a = ParseAddress(ip);
  if (!a) return false;
  return std::any_of(networks_.begin(), networks_.end(),
                     [&](const Network& n) { return InNetwork(*a, n); });
}

TrustedProxies::Client TrustedProxies::Resolve(std::string_view peer,
                                               std::string_view forwarded_for,
                                               std::string_view forwarded_proto) const {
  Client client;
  auto peer_address = ParseAddress(peer);
  client.ip = peer_address ? peer_address->to_string() : std::string(peer);
  if (!peer_address || !Contains(client.ip)) return client;  // headers ignored

  // Right to left: each trusted hop vouches for the element it appended, i.e. the one to its
  // left; the first untrusted element is the client as seen by our outermost trusted proxy.
  std::string_view rest = forwarded_for;
  while (!Trim(rest).empty()) {
    std::size_t comma = rest.rfind(',');
    std::string_view element = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (Trim(element).empty()) continue;  // "a,,b" or a trailing comma: no hop to vouch for
    auto a = ParseForwardedElement(element);
    if (!a) break;  // garbage: keep the last hop we could vouch for
    client.ip = a->to_string();
    if (!std::any_of(networks_.begin(), networks_.end(),
                     [&](const Network& n) { return InNetwork(*a, n); })) {
      break;
    }
  }

  std::string_view proto = forwarded_proto;
  if (std::size_t comma = proto.rfind(','); comma != std::string_view::npos) {
    proto = proto.substr(comma + 1);
  }
  client.https = EqualsIgnoreCase(Trim(proto), "https");
  return client;
}

}  // namespace latchkey::http
