// Which reverse proxies are believed about the client (--trusted-proxy CIDR, repeatable).
// X-Forwarded-For and X-Forwarded-Proto are headers any client can send (RFC 7239 8.1: they
// are only as trustworthy as the hop that wrote them); they are believed only when the peer
// that sent them is a listed proxy. Otherwise a client could choose the IP shown in its session
// list, the audit log and any limit keyed on it, and could claim HTTPS.
// Thread-safety: immutable after construction; safe from any thread.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace latchkey::http {

class TrustedProxies {
 public:
  // An address block. IPv4 is kept as such (IPv4-mapped IPv6 peers are unmapped first).
  struct Network {
    std::array<unsigned char, 16> bytes{};  // network address, 4 or 16 bytes used
    unsigned prefix = 0;                    // prefix length in bits
    bool v6 = false;                        // 16-byte address
  };

  // What a request says about its client once the proxy rule has been applied.
  struct Client {
    std::string ip;      // the address to record: the peer, or from X-Forwarded-For
    bool https = false;  // a trusted proxy said the client used HTTPS (X-Forwarded-Proto)
  };

  TrustedProxies() = default;

  // "10.0.0.0/8", "fd00::/8", or a bare address (a /32 or /128). Parsed with
  // boost::asio::ip::make_network_v4/v6; host bits set after the prefix are refused (a typo
  // there would silently trust a different block). nullopt when invalid.
  static std::optional<Network> ParseCidr(std::string_view cidr);

  void Add(const Network& network) { networks_.push_back(network); }
  bool empty() const { return networks_.empty(); }

  // True when `ip` (a literal address) lies in one of the networks.
  bool Contains(std::string_view ip) const;

  // Applies the rule to one request. An untrusted (or unparsable) peer: its own address,
  // headers ignored. A trusted peer: the right-most X-Forwarded-For entry that is not itself
  // a trusted proxy (entries left of it were written by the client and may be forged); when
  // every entry is trusted, the left-most; when an entry does not parse, the last trusted hop
  // before it. X-Forwarded-Proto: the right-most value (set by the nearest proxy), "https"
  // case-insensitively.
  Client Resolve(std::string_view peer, std::string_view forwarded_for,
                 std::string_view forwarded_proto) const;

 private:
  std::vector<Network> networks_;
};

}  // namespace latchkey::http
