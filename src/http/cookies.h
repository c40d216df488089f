// Cookie header parsing and Set-Cookie building (RFC 6265bis).
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace latchkey::http {

// The value of cookie `name` in a Cookie header ("a=1; b=2"). When the name appears more than
// once (a cookie-tossing attempt from a sibling domain or path: RFC 6265bis 8.6), the result
// is nullopt: treated as no cookie, never as "the first" or "the last".
std::optional<std::string_view> FindCookie(std::string_view header, std::string_view name);

struct CookieOptions {
  std::optional<long long> max_age;  // seconds; nullopt: a browser-session cookie
  bool secure = false;               // set when served over TLS
  bool http_only = true;             // not readable from JavaScript (XSS cannot steal it)
  std::string_view same_site = "Lax";
  std::string_view path = "/";
};

// "name=value; Path=/; Max-Age=N; HttpOnly; SameSite=Lax[; Secure]"
std::string SetCookieHeader(std::string_view name, std::string_view value,
                            const CookieOptions& options);

// A header that deletes the cookie: empty value, Max-Age=0, Expires in 1970.
std::string ClearCookieHeader(std::string_view name, const CookieOptions& options);

}  // namespace latchkey::http
