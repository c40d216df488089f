#include "api/account_api.h"

#include <boost/json.hpp>

#include "base/time_format.h"
#include "http/error_mapping.h"
#include "http/json_body.h"
#include "identity/validation.h"

namespace latchkey::api {

http::Response AccountApi::UpdateProfile(const Context& c) {
  const http::Request& request = c.request;
  auto body = http::ParseJsonObject(request);
  if (!body) return http::ErrorResponse(body.error());
  // "name", "email" or both; "name" is the one asked for when neither is given.
  bool has_email = body->contains("email");
  auto name = http::StringField(*body, "name", !has_email);
  if (!name) return http::ErrorResponse(name.error());
  auto email = http::StringField(*body, "email", false);
  if (!email) return http::ErrorResponse(email.error());
  // Needed with "email" only (flows/email_service.h); a name alone needs the session only.
  auto current = http::StringField(*body, "current_password", false);
  if (!current) return http::ErrorResponse(current.error());
  Result<identity::User> user = c.principal().user();
  bool has_name = body->contains("name");
  // A session without its verified address may set the address (to reach the mail), nothing
  // else of the account (api/routes.cpp, kUnverified).
  if (has_name && c.principal().restrictions().Has(session::Restriction::kEmailUnverified)) {
    return http::ErrorResponse(MakeError(Errc::kEmailUnverified));
  }
  // Both refused before anything is written: the name's rules first, then the address (its
  // rules, the current password, the mail throttle, --require-verified-email), and the name
  // is written last: an
  // answer other than 200 changed nothing a client could see (only a storage error, or the
  // user gone, between the two writes).
  if (has_name) {
    if (auto r = identity::ValidateName(*name); !r) return http::ErrorResponse(r.error());
  }
  if (has_email) {
    user = email_.SetEmail(c.principal(), *email, Secret(std::move(*current)), ClientOf(request));
    if (!user) return http::ErrorResponse(user.error());
  }
  if (has_name) user = accounts_.UpdateProfile(c.principal(), *name, ClientOf(request));
  if (!user) return http::ErrorResponse(user.error());
  return http::JsonResponse(200, UserJson(*user));
}

http::Response AccountApi::ChangePassword(const Context& c) {
  const http::Request& request = c.request;
  auto body = http::ParseJsonObject(request);
  if (!body) return http::ErrorResponse(body.error());
  auto current = http::StringField(*body, "current_password", false);
  if (!current) return http::ErrorResponse(current.error());
  auto next = http::StringField(*body, "new_password", true);
  if (!next) return http::ErrorResponse(next.error());
  auto result = accounts_.ChangePassword(c.principal(), Secret(std::move(*current)),
                                         Secret(std::move(*next)), ClientOf(request));
  if (!result) return http::ErrorResponse(result.error());
  http::Response r = http::JsonResponse(200, UserJson(result->user));
  cookies_.Set(r, *result, request.tls);
  return r;
}

http::Response AccountApi::Events(const Context& c) {
  auto events = accounts_.RecentEvents(c.principal(), kEventsShown);
  if (!events) return http::ErrorResponse(events.error());
  boost::json::array list;
  list.reserve(events->size());
  for (const auto& e : *events) {
    boost::json::object o;
    o["type"] = e.type;
    o["at"] = FormatRfc3339(e.at);
    o["ip"] = e.ip;
    o["user_agent"] = e.user_agent;
    list.push_back(std::move(o));
  }
  boost::json::object body;
  body["events"] = std::move(list);
  return http::JsonResponse(200, boost::json::serialize(body));
}

}  // namespace latchkey::api
