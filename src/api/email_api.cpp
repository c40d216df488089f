#include "api/email_api.h"

#include <utility>

#include <boost/json.hpp>

#include "http/error_mapping.h"
#include "http/json_body.h"

namespace latchkey::api {

http::Response EmailApi::Verify(const Context& c) {
  auto body = http::ParseJsonObject(c.request);
  if (!body) return http::ErrorResponse(body.error());
  auto token = http::StringField(*body, "token", false);
  if (!token) return http::ErrorResponse(token.error());
  auto code = http::StringField(*body, "code", false);
  if (!code) return http::ErrorResponse(code.error());
  Result<identity::User> user = MakeError(Errc::kInternal);
  if (!token->empty()) {
    user = email_.VerifyByToken(*token, ClientOf(c.request));
  } else if (!code->empty()) {
    // A code is the logged-in user's: it names no account by itself.
    if (c.principal_if_live() == nullptr) {
      return http::ErrorResponse(MakeError(Errc::kUnauthenticated));
    }
    user = email_.VerifyByCode(c.principal(), *code, ClientOf(c.request));
  } else {
    return http::ErrorResponse(
        MakeError(Errc::kInvalidInput, "Give the link's token or the mail's code", "token"));
  }
  if (!user) return http::ErrorResponse(user.error());
  return http::JsonResponse(200, UserJson(*user));
}

http::Response EmailApi::Resend(const Context& c) {
  // A body, when sent, must be a JSON object (with a session its fields are not used).
  boost::json::object body;
  if (!c.request.body.empty()) {
    auto parsed = http::ParseJsonObject(c.request);
    if (!parsed) return http::ErrorResponse(parsed.error());
    body = std::move(*parsed);
  }
  Result<void> sent;
  if (const session::Principal* caller = c.principal_if_live()) {
    sent = email_.Resend(*caller, ClientOf(c.request));
  } else if (!body.contains("login")) {
    return NotLoggedIn(c.session, cookies_, c.request);
  } else {
    // Without a session: one answer whatever the login names (no enumeration).
    auto login = http::StringField(body, "login", true);
    if (!login) return http::ErrorResponse(login.error());
    sent = email_.ResendFor(*login, ClientOf(c.request));
  }
  if (!sent) return http::ErrorResponse(sent.error());
  return http::JsonResponse(202, kSuccessJson);
}

http::Response EmailApi::Undo(const Context& c) {
  auto body = http::ParseJsonObject(c.request);
  if (!body) return http::ErrorResponse(body.error());
  auto token = http::StringField(*body, "token", true);
  if (!token) return http::ErrorResponse(token.error());
  auto user = email_.Undo(*token, ClientOf(c.request));
  if (!user) return http::ErrorResponse(user.error());
  // {"user":{...},"password_reset_required":true}: the undo made the password unusable
  // (flows/email_service.h); the owner sets a new one by recovery to the restored address.
  std::string json = UserJson(*user);
  json.insert(json.size() - 1, R"(,"password_reset_required":true)");
  http::Response r = http::JsonResponse(200, std::move(json));
  // Every session of the user ended: this browser's too, when it was one of them.
  const session::Principal* caller = c.principal_if_live();
  if (caller != nullptr && caller->user_id() == user->id) cookies_.Clear(r, c.request.tls);
  return r;
}

}  // namespace latchkey::api
