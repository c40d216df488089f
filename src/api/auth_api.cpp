#include "api/auth_api.h"

#include <boost/json.hpp>

#include "http/cookies.h"
#include "http/error_mapping.h"
#include "http/json_body.h"

namespace latchkey::api {
namespace {

flows::ClientInfo Client(const http::Request& request) {
  return flows::ClientInfo{request.client_ip, request.user_agent};
}

constexpr const char* kSuccess = R"({"success":true})";

}  // namespace

std::string UserJson(const identity::User& user) {
  boost::json::object u;
  u["id"] = user.id;
  u["username"] = user.username;
  u["name"] = user.name;
  boost::json::object body;
  body["user"] = std::move(u);
  return boost::json::serialize(body);
}

std::optional<std::string> AuthApi::SessionTokenHash(const http::Request& request) const {
  auto value = http::FindCookie(request.cookie, kSessionCookie);
  if (!value) return std::nullopt;
  return tokens_.Verify(*value);
}

std::optional<http::Response> AuthApi::CheckCsrf(const http::Request& request) const {
  auto binding = http::FindCookie(request.cookie, kCsrfCookie);
  if (binding && csrf_.Verify(*binding, request.csrf_token)) return std::nullopt;
  return http::ErrorResponse(MakeError(Errc::kCsrfRejected, "Missing or invalid CSRF token"));
}

http::Response AuthApi::LoggedIn(int status, const flows::LoginResult& result, bool secure) const {
  http::Response r = http::JsonResponse(status, UserJson(result.user));
  r.AddHeader("Set-Cookie",
              http::SetCookieHeader(kSessionCookie, result.cookie_value, cookies_.Options(secure)));
  return r;
}

void AuthApi::ClearSessionCookie(http::Response& response, bool secure) const {
  response.AddHeader("Set-Cookie", http::ClearCookieHeader(kSessionCookie, cookies_.Options(secure)));
}

http::Response AuthApi::Me(const http::Request& request) {
  auto current = auth_.Authenticate(SessionTokenHash(request));
  if (!current) return http::ErrorResponse(current.error());
  return http::JsonResponse(200, UserJson(current->user));
}

http::Response AuthApi::Signup(const http::Request& request) {
  auto body = http::ParseJsonObject(request);
  if (!body) return http::ErrorResponse(body.error());
  auto username = http::StringField(*body, "username", true);
  if (!username) return http::ErrorResponse(username.error());
  auto password = http::StringField(*body, "password", true);
  if (!password) return http::ErrorResponse(password.error());
  auto name = http::StringField(*body, "name", false);
  if (!name) return http::ErrorResponse(name.error());

  auto result = auth_.Signup({std::move(*username), std::move(*password), std::move(*name)},
                             Client(request));
  if (!result) return http::ErrorResponse(result.error());
  return LoggedIn(201, *result, request.tls);
}

http::Response AuthApi::Login(const http::Request& request) {
  auto body = http::ParseJsonObject(request);
  if (!body) return http::ErrorResponse(body.error());
  auto username = http::StringField(*body, "username", true);
  if (!username) return http::ErrorResponse(username.error());
  auto password = http::StringField(*body, "password", true);
  if (!password) return http::ErrorResponse(password.error());

  auto result = auth_.Login({std::move(*username), std::move(*password)},
                            SessionTokenHash(request), Client(request));
  if (!result) return http::ErrorResponse(result.error());
  return LoggedIn(200, *result, request.tls);
}

http::Response AuthApi::Logout(const http::Request& request) {
  auto result = auth_.Logout(SessionTokenHash(request));
  if (!result) return http::ErrorResponse(result.error());
  http::Response r = http::JsonResponse(200, kSuccess);
  ClearSessionCookie(r, request.tls);
  return r;
}

http::Response AuthApi::RemoveAccount(const http::Request& request) {
  auto result = auth_.RemoveAccount(SessionTokenHash(request));
  if (!result) return http::ErrorResponse(result.error());
  http::Response r = http::JsonResponse(200, kSuccess);
  ClearSessionCookie(r, request.tls);
  return r;
}

}  // namespace latchkey::api
