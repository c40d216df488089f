#include "api/session_cookies.h"

#include <boost/json.hpp>

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
  boost::json::object u;
  u["id"] = user.id;
  u["username"] = user.username;
  u["name"] = user.name;
  boost::json::object body;
  body["user"] = std::move(u);
  return boost::json::serialize(body);
}

}  // namespace latchkey::api
