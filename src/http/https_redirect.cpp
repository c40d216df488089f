#include "http/https_redirect.h"

#include <boost/json.hpp>

#include "http/error_mapping.h"
#include "http/origin_policy.h"

namespace latchkey::http {

std::optional<std::string> HttpsRedirectLocation(std::string_view host_header,
                                                 std::string_view target, unsigned short tls_port) {
  if (host_header.empty()) return std::nullopt;
  // NormalizeOrigin validates host[:port] (reg-name or [IPv6] literal) and lower-cases it.
  auto origin = NormalizeOrigin("https://" + std::string(host_header));
  if (!origin) return std::nullopt;
  std::string host = origin->substr(8);  // after "https://"
  std::size_t port_colon = host.rfind(':');
  if (port_colon != std::string::npos && host.find(']', port_colon) == std::string::npos) {
    host.resize(port_colon);  // the client's port was the plain-HTTP one
  }
  std::string location = "https://" + host;
  if (tls_port != 443) location += ":" + std::to_string(tls_port);
  if (target.empty() || target.front() != '/') {
    location += '/';
  } else {
    location += target;
  }
  return location;
}

Response HttpsRedirect(std::string_view host_header, std::string_view target,
                       unsigned short tls_port) {
  auto location = HttpsRedirectLocation(host_header, target, tls_port);
  if (!location) return ErrorResponse(MakeError(Errc::kInvalidInput, "Missing or invalid Host"));
  // A JSON body like every other answer, so an API client that does not follow redirects
  // still gets something it can parse.
  boost::json::object body;
  body["location"] = *location;
  Response r = JsonResponse(308, boost::json::serialize(body));
  r.AddHeader("Location", *location);
  return r;
}

}  // namespace latchkey::http
