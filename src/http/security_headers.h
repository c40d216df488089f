// Security headers every response carries, whatever produced it (handler, router, or the
// connection layer's 400/413/431). OWASP ASVS 4.0.3 V14.4 (HTTP security headers); the
// reason for each header sits beside it in the .cpp.
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "http/request.h"

namespace latchkey::http {

// The Content-Security-Policy of every response (ASVS 14.4.3). The client is built without
// inline script or style (web/build.js) so neither 'unsafe-inline' nor 'unsafe-eval' is needed.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

// HSTS for a request that reached us over TLS (directly or through a trusted proxy).
inline constexpr std::string_view kStrictTransportSecurity = "max-age=31536000; includeSubDomains";

// A header the server adds itself: name and value are static strings (no copy per response).
struct StaticHeader {
  std::string_view name;
  std::string_view value;
};

// A short, fixed-capacity list of StaticHeader (no allocation); iterate with begin()/end().
struct StaticHeaders {
  static constexpr std::size_t kCapacity = 8;
  std::array<StaticHeader, kCapacity> items{};
  std::size_t size = 0;

  void Add(std::string_view name, std::string_view value) { items.at(size++) = {name, value}; }
  const StaticHeader* begin() const { return items.data(); }
  const StaticHeader* end() const { return items.data() + size; }
};

// Appends CSP, X-Content-Type-Options, Referrer-Policy, X-Frame-Options, and
// Strict-Transport-Security when request.tls.
void AddSecurityHeaders(const Request& request, StaticHeaders& out);

}  // namespace latchkey::http
