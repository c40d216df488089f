#include "throttle/address_bucket.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace latchkey::throttle {

// POSIX inet_pton/inet_ntop (RFC 4291 text forms; inet_ntop writes the RFC 5952 canonical
// form): the domain layers stay free of Asio.
std::string AddressBucket(std::string_view ip, int ipv6_prefix) {
  std::string text(ip.substr(0, ip.find('%')));  // a zone index names an interface, not a host
  char out[INET6_ADDRSTRLEN] = {};
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return inet_ntop(AF_INET, &v4, out, sizeof out) ? std::string(out) : std::string(ip);
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return std::string(ip);
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    std::memcpy(&v4, &v6.s6_addr[12], sizeof v4);
    return inet_ntop(AF_INET, &v4, out, sizeof out) ? std::string(out) : std::string(ip);
  }
  // Keep the first ipv6_prefix bits, zero the rest.
  for (int bit = ipv6_prefix; bit < 128; ++bit) {
    v6.s6_addr[bit / 8] &= static_cast<unsigned char>(~(0x80u >> (bit % 8)));
  }
  if (!inet_ntop(AF_INET6, &v6, out, sizeof out)) return std::string(ip);
  return std::string(out) + "/" + std::to_string(ipv6_prefix);
}

}  // namespace latchkey::throttle
