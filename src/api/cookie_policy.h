// Names and attributes of Latchkey's cookies (RFC 6265bis; OWASP Session Management Cheat
// Sheet, "Cookies"). Both are HttpOnly and SameSite=Lax; Secure is added over TLS.
#pragma once

#include <string_view>

#include "http/cookies.h"

namespace latchkey::api {

inline constexpr std::string_view kSessionCookie = "latchkey_session";
inline constexpr std::string_view kCsrfCookie = "latchkey_csrf";

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
