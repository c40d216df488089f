#include "api/session_cookies.h"

#include <boost/json.hpp>
#include <cstddef>

#include "http/cookies.h"

namespace latchkey::api {

std::optional<std::string> SessionCookies::TokenHash(const http::Request& request) const {
  auto value = http::FindCookie(request.cookie, SessionCookieName(request.tls));
  if (!value) return std::nullopt;
  return tokens_.Verify(*value);
}

void SessionCookies::Set(http::Response& response, const flows::LoginResult& login,
                         bool secure) const {
  http::CookieOptions options = policy_.Options(secure);
  if (!login.persistent) options.max_age.reset();  // gone when the browser closes
  response.AddHeader("Set-Cookie",
                     http::SetCookieHeader(SessionCookieName(secure), login.cookie_value, options));
}

void SessionCookies::Clear(http::Response& response, bool secure) const {
  response.AddHeader("Set-Cookie",
                     http::ClearCookieHeader(SessionCookieName(secure), policy_.Options(secure)));
}

std::string UserJson(const identity::User& user) {
  // Built in a stack buffer (no heap allocation for the tree): this runs on every session
  // check. Usernames and names are bounded (identity/user.h), so 1 KiB nearly always suffices;
  // the resource falls back to the heap when it does not.
  alignas(std::max_align_t) unsigned char buffer[1024];
  boost::json::monotonic_resource memory(buffer, sizeof buffer);
  boost::json::object u(&memory);
  u.reserve(3);
  u.emplace("id", user.id);
  u.emplace("username", user.username);
  u.emplace("name", user.name);
  boost::json::object body(&memory);
  body.emplace("user", std::move(u));
  return boost::json::serialize(body);
}

}  // namespace latchkey::api
