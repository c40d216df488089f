#include "api/auth_api.h"

#include "http/error_mapping.h"
#include "http/json_body.h"

namespace latchkey::api {
http::Response AuthApi::Me(const Context& c) {
  return http::JsonResponse(200, UserJson(c.principal().user()));
}

http::Response AuthApi::Signup(const Context& c) {
  const http::Request& request = c.request;
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
  auto email = http::StringField(*body, "email", false);
  if (!email) return http::ErrorResponse(email.error());

  auto result = auth_.Signup({std::move(*username), Secret(std::move(*password)), std::move(*name),
                              *remember, std::move(*email)},
                             ClientOf(request));
  if (!result) return http::ErrorResponse(result.error());
  http::Response r = http::JsonResponse(201, UserJson(result->user));
  cookies_.Set(r, *result, request.tls);
  return r;
}

http::Response AuthApi::Login(const Context& c) {
  const http::Request& request = c.request;
  auto body = http::ParseJsonObject(request);
  if (!body) return http::ErrorResponse(body.error());
  auto username = http::StringField(*body, "username", true);
  if (!username) return http::ErrorResponse(username.error());
  auto password = http::StringField(*body, "password", true);
  if (!password) return http::ErrorResponse(password.error());
  auto remember = http::BoolField(*body, "remember", true);
  if (!remember) return http::ErrorResponse(remember.error());

  auto result = auth_.Login({std::move(*username), Secret(std::move(*password)), *remember},
                            c.principal_if_live(), ClientOf(request));
  if (!result) return http::ErrorResponse(result.error());
  http::Response r = http::JsonResponse(200, UserJson(result->user));
  cookies_.Set(r, *result, request.tls);
  return r;
}

http::Response AuthApi::Logout(const Context& c) {
  const http::Request& request = c.request;
  auto result = auth_.Logout(c.principal_if_live(), ClientOf(request));
  if (!result) return http::ErrorResponse(result.error());
  http::Response r = http::JsonResponse(200, kSuccessJson);
  cookies_.Clear(r, request.tls);
  return r;
}

http::Response AuthApi::RemoveAccount(const Context& c) {
  const http::Request& request = c.request;
  Secret password;  // an empty body is a missing password: 401 field "password"
  if (!request.body.empty()) {
    auto body = http::ParseJsonObject(request);
    if (!body) return http::ErrorResponse(body.error());
    auto field = http::StringField(*body, "password", false);
    if (!field) return http::ErrorResponse(field.error());
    password = Secret(std::move(*field));
  }
  auto result = auth_.RemoveAccount(c.principal(), password, ClientOf(request));
  if (!result) return http::ErrorResponse(result.error());
  http::Response r = http::JsonResponse(200, kSuccessJson);
  cookies_.Clear(r, request.tls);
  return r;
}

}  // namespace latchkey::api
