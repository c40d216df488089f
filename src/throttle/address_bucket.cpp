#include "throttle/address_bucket.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v6.hpp>

namespace latchkey::throttle {

std::string AddressBucket(std::string_view ip, int ipv6_prefix) {
  namespace asio_ip = boost::asio::ip;
  boost::system::error_code ec;
  asio_ip::address address = asio_ip::make_address(ip, ec);
  if (ec) return std::string(ip);
  if (address.is_v4()) return address.to_string();
  asio_ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) return asio_ip::make_address_v4(asio_ip::v4_mapped, v6).to_string();
  v6.scope_id(0);  // a zone index names an interface, not another host
  return asio_ip::make_network_v6(v6, static_cast<unsigned short>(ipv6_prefix))
      .canonical()
      .to_string();
}

}  // namespace latchkey::throttle
