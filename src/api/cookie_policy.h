// Names and attributes of Latchkey's cookies (RFC 6265bis; OWASP Session Management Cheat
// Sheet, "Cookies"). Both are HttpOnly and SameSite=Lax (ASVS 3.4.2, 3.4.3), Path=/ and no
// Domain (3.4.5). Over TLS (request.tls) they are Secure (3.4.1) and named with the "__Host-"
// prefix (3.4.4; RFC 6265bis 4.1.3.2): a browser stores such a cookie only from a secure
// origin, with Secure, Path=/ and no Domain, so neither a sibling subdomain nor a network
// attacker on plain HTTP can plant or overwrite one. The names below are the only place that
// choice is made; every reader and writer asks for the name with the request's tls flag.
#pragma once

#include <string_view>

#include "http/cookies.h"

namespace latchkey::api {

inline constexpr std::string_view kSessionCookie = "latchkey_session";
inline constexpr std::string_view kCsrfCookie = "latchkey_csrf";
inline constexpr std::string_view kSecureSessionCookie = "__Host-latchkey_session";
inline constexpr std::string_view kSecureCsrfCookie = "__Host-latchkey_csrf";

// The session cookie's name for a request that did (secure) or did not arrive over TLS.
inline std::string_view SessionCookieName(bool secure) {
  return secure ? kSecureSessionCookie : kSessionCookie;
}

// The CSRF binding cookie's name, likewise.
inline std::string_view CsrfCookieName(bool secure) {
  return secure ? kSecureCsrfCookie : kCsrfCookie;
}

struct CookiePolicy {
  long long max_age_seconds = 30LL * 24 * 3600;  // persistent login across browser restarts

  http::CookieOptions Options(bool secure) const {
    http::CookieOptions o;
    o.max_age = max_age_seconds;
    o.secure = secure;
    return o;
  }
};

}  // namespace latchkey::api
