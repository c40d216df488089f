// The answer of the optional plain-HTTP listener (--redirect-http): every request is sent to
// the same host and path over HTTPS, on the TLS listener's port (ASVS 4.0.3 9.1.1: TLS for all
// client connectivity, no fallback to plain HTTP). 308 keeps the method and body
// (RFC 9110 15.4.9), so a stray POST is not silently turned into a GET.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/request.h"

namespace latchkey::http {

// "https://<host of `host_header`>[:tls_port]<target>" (port omitted when 443); nullopt when
// the Host header is missing or is not a valid host[:port] (no open redirect to whatever a
// client writes there). A target not starting with '/' becomes "/".
std::optional<std::string> HttpsRedirectLocation(std::string_view host_header,
                                                 std::string_view target, unsigned short tls_port);

// 308 with Location and {"location": "..."}, or 400 JSON when there is no usable Host.
Response HttpsRedirect(std::string_view host_header, std::string_view target,
                       unsigned short tls_port);

}  // namespace latchkey::http
