#include "http/error_mapping.h"

#include <boost/json.hpp>

#include <algorithm>

namespace latchkey::http {

int StatusFor(Errc code) {
  switch (code) {
    case Errc::kInvalidInput:
      return 400;
    case Errc::kInvalidCredentials:
      return 401;
    case Errc::kUnauthenticated:
      return 401;
    case Errc::kCsrfRejected:
    case Errc::kAccountDisabled:
      return 403;
    case Errc::kNotFound:
      return 404;
    case Errc::kMethodNotAllowed:
      return 405;
    case Errc::kUsernameTaken:
      return 409;
    case Errc::kPayloadTooLarge:
      return 413;
    case Errc::kUnsupportedMediaType:
      return 415;
    case Errc::kRateLimited:
      return 429;
    case Errc::kStorageUnavailable:
      return 503;
    case Errc::kInternal:
      return 500;
  }
  return 500;
}

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

Response ErrorResponse(const Error& error) {
  boost::json::object body;
  body["error"] = error.message;
  if (!error.field.empty()) body["field"] = error.field;
  Response r = JsonResponse(StatusFor(error.code), boost::json::serialize(body));
  if (error.code == Errc::kRateLimited) {
    r.AddHeader("Retry-After", std::to_string(std::max(1L, error.retry_after)));  // RFC 9110 10.2.3
  }
  return r;
}

}  // namespace latchkey::http
