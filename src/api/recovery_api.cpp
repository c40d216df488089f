#include "api/recovery_api.h"

#include "http/error_mapping.h"
#include "http/json_body.h"

namespace latchkey::api {

http::Response RecoveryApi::Request(const Context& c) {
  auto body = http::ParseJsonObject(c.request);
  if (!body) return http::ErrorResponse(body.error());
  auto login = http::StringField(*body, "login", true);
  if (!login) return http::ErrorResponse(login.error());
  auto r = recovery_.Request(*login, ClientOf(c.request));
  if (!r) return http::ErrorResponse(r.error());
  // The same answer whatever the login names (no enumeration).
  return http::JsonResponse(202, kSuccessJson);
}

http::Response RecoveryApi::Complete(const Context& c) {
  const http::Request& request = c.request;
  auto body = http::ParseJsonObject(request);
  if (!body) return http::ErrorResponse(body.error());
  flows::RecoveryInput in;
  for (auto [key, out] : {std::pair{"token", &in.token}, std::pair{"code", &in.code},
                          std::pair{"login", &in.login}}) {
    auto value = http::StringField(*body, key, false);
    if (!value) return http::ErrorResponse(value.error());
    *out = std::move(*value);
  }
  auto password = http::StringField(*body, "new_password", true);
  if (!password) return http::ErrorResponse(password.error());
  in.new_password = Secret(std::move(*password));
  auto remember = http::BoolField(*body, "remember", true);
  if (!remember) return http::ErrorResponse(remember.error());
  in.remember = *remember;

  auto result = recovery_.Complete(in, c.principal_if_live(), ClientOf(request));
  if (!result) return http::ErrorResponse(result.error());
  if (!result->login) {
    // issue 20: a second factor is pending (flows/sign_in_step.h); no session yet.
    return http::JsonResponse(200, R"({"second_factor_required":true})");
  }
  http::Response r = http::JsonResponse(200, UserJson(result->login->user));
  cookies_.Set(r, *result->login, request.tls);
  return r;
}

}  // namespace latchkey::api
