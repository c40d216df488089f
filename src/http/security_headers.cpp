#include "http/security_headers.h"

namespace latchkey::http {

void AddSecurityHeaders(const Request& request, StaticHeaders& out) {
  // Script, style, images, forms and the base URL from this origin only; no plugins; no framing
  // (ASVS 14.4.3; frame-ancestors also covers 14.4.7, clickjacking on the login form).
  out.Add("Content-Security-Policy", kContentSecurityPolicy);
  // MIME sniffing could turn a JSON or asset response into script (ASVS 14.4.4).
  out.Add("X-Content-Type-Options", "nosniff");
  // Paths of this app (/account, deep links) are not leaked to other sites (ASVS 14.4.6).
  out.Add("Referrer-Policy", "same-origin");
  // frame-ancestors for browsers that predate CSP level 2 (ASVS 14.4.7).
  out.Add("X-Frame-Options", "DENY");
  // Only over TLS: browsers ignore HSTS on plain HTTP (RFC 6797 8.1), and sending it there
  // would claim a policy this listener cannot back (ASVS 14.4.5, 9.1.1).
  if (request.tls) {
    out.Add("Strict-Transport-Security", kStrictTransportSecurity);
  }
}

}  // namespace latchkey::http
