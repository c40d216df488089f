#include "api/sessions_api.h"

#include <boost/json.hpp>

#include "base/time_format.h"
#include "http/error_mapping.h"

namespace latchkey::api {

http::Response SessionsApi::List(const Context& c) {
  auto views = sessions_.List(c.principal());
  if (!views) return http::ErrorResponse(views.error());
  boost::json::array list;
  list.reserve(views->size());
  for (const auto& v : *views) {
    // Never the token or its hash: only the public id and what the user may see.
    boost::json::object s;
    s["id"] = v.record.id.value();
    s["created_at"] = FormatRfc3339(v.record.created_at);
    s["last_seen_at"] = FormatRfc3339(v.record.last_seen_at);
    s["expires_at"] = FormatRfc3339(session::EffectiveExpiry(v.record));
    s["user_agent"] = v.record.user_agent;
    s["ip"] = v.record.ip;
    s["current"] = v.current;
    list.push_back(std::move(s));
  }
  boost::json::object body;
  body["sessions"] = std::move(list);
  return http::JsonResponse(200, boost::json::serialize(body));
}

http::Response SessionsApi::Revoke(const Context& c) {
  const http::Request& request = c.request;
  session::SessionId id(request.path_params.at(0));
  auto was_current = sessions_.Revoke(c.principal(), id, ClientOf(request));
  if (!was_current) return http::ErrorResponse(was_current.error());
  http::Response r = http::JsonResponse(200, kSuccessJson);
  if (*was_current) cookies_.Clear(r, request.tls);
  return r;
}

http::Response SessionsApi::RevokeOthers(const Context& c) {
  auto revoked = sessions_.RevokeOthers(c.principal(), ClientOf(c.request));
  if (!revoked) return http::ErrorResponse(revoked.error());
  boost::json::object body;
  body["success"] = true;
  body["revoked"] = *revoked;
  return http::JsonResponse(200, boost::json::serialize(body));
}

}  // namespace latchkey::api
