#include "http/error_mapping.h"

#include <boost/json.hpp>

#include <algorithm>

namespace latchkey::http {

int StatusFor(Errc code) { return InfoOf(code).status; }

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

Response ErrorResponse(const Error& error) {
  const ErrcInfo& kind = InfoOf(error.code);
  boost::json::object body;
  body["error"] = MessageOf(error);
  body["code"] = kind.code;
  if (!error.field.empty()) body["field"] = error.field;
  Response r = JsonResponse(kind.status, boost::json::serialize(body));
  if (error.code == Errc::kRateLimited || error.code == Errc::kServerBusy) {
    r.AddHeader("Retry-After", std::to_string(std::max(1L, error.retry_after)));  // RFC 9110 10.2.3
  }
  return r;
}

}  // namespace latchkey::http
