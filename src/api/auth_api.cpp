#include "api/auth_api.h"

#include "http/cookies.h"
#include "http/error_mapping.h"
#include "http/json_body.h"

namespace latchkey::api {
std::optional<http::Response> AuthApi::CheckCsrf(const http::Request& request) const {
  auto binding = http::FindCookie(request.cookie, CsrfCookieName(request.tls));
  if (binding && csrf_.Verify(*binding, request.csrf_token)) return std::nullopt;
  return http::ErrorResponse(MakeError(Errc::kCsrfRejected, "Missing or invalid CSRF token"));
}

http::Response AuthApi::Me(const http::Request& request) {
  auto current = auth_.Authenticate(cookies_.TokenHash(request));
  if (!current) return http::ErrorResponse(current.error());
  return http::JsonResponse(200, UserJson(current->user));
}

std::optional<http::Response> AuthApi::MeInMemory(const http::Request& request) {
  auto current = auth_.AuthenticateInMemory(cookies_.TokenHash(request));
  if (!current) return std::nullopt;
  if (!*current) return http::ErrorResponse(current->error());
  return http::JsonResponse(200, UserJson((**current)->user));
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
  auto remember = http::BoolField(*body, "remember", true);
  if (!remember) return http::ErrorResponse(remember.error());

  auto result = auth_.Signup(
      {std::move(*username), std::move(*password), std::move(*name), *remember}, ClientOf(request));
  if (!result) return http::ErrorResponse(result.error());
  http::Response r = http::JsonResponse(201, UserJson(result->user));
  cookies_.Set(r, *result, request.tls);
  return r;
}

http::Response AuthApi::Login(const http::Request& request) {
  auto body = http::ParseJsonObject(request);
  if (!body) return http::ErrorResponse(body.error());
  auto username = http::StringField(*body, "username", true);
  if (!username) return http::ErrorResponse(username.error());
  auto password = http::StringField(*body, "password", true);
  if (!password) return http::ErrorResponse(password.error());
  auto remember = http::BoolField(*body, "remember", true);
  if (!remember) return http::ErrorResponse(remember.error());

  auto result = auth_.Login({std::move(*username), std::move(*password), *remember},
                            cookies_.TokenHash(request), ClientOf(request));
  if (!result) return http::ErrorResponse(result.error());
  http::Response r = http::JsonResponse(200, UserJson(result->user));
  cookies_.Set(r, *result, request.tls);
  return r;
}

http::Response AuthApi::Logout(const http::Request& request) {
  auto result = auth_.Logout(cookies_.TokenHash(request), ClientOf(request));
  if (!result) return http::ErrorResponse(result.error());
  http::Response r = http::JsonResponse(200, kSuccessJson);
  cookies_.Clear(r, request.tls);
  return r;
}

http::Response AuthApi::RemoveAccount(const http::Request& request) {
  std::string password;  // an empty body is a missing password: 401 field "password"
  if (!request.body.empty()) {
    auto body = http::ParseJsonObject(request);
    if (!body) return http::ErrorResponse(body.error());
    auto field = http::StringField(*body, "password", false);
    if (!field) return http::ErrorResponse(field.error());
    password = std::move(*field);
  }
  auto result = auth_.RemoveAccount(cookies_.TokenHash(request), password, ClientOf(request));
  if (!result) return http::ErrorResponse(result.error());
  http::Response r = http::JsonResponse(200, kSuccessJson);
  cookies_.Clear(r, request.tls);
  return r;
}

}  // namespace latchkey::api
