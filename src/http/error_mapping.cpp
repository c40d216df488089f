#include "http/error_mapping.h"

#include <boost/json.hpp>

#include <algorithm>
#include <array>

namespace latchkey::http {
namespace {

struct ErrorKind {
  Errc errc;
  int status;
  std::string_view code;
  std::string_view message;
};

// The one table. Codes are stable: clients and operators key on them (never rename one).
// Statuses: RFC 9110 section 15; 429 RFC 6585 section 4; 431 RFC 6585 section 5.
constexpr std::array kErrors{
    ErrorKind{Errc::kInvalidInput, 400, "validation_failed", "The request is not valid"},
    ErrorKind{Errc::kMalformedRequest, 400, "malformed_request", "Malformed HTTP request"},
    ErrorKind{Errc::kUnsupportedMediaType, 415, "unsupported_media_type",
              "Content-Type must be application/json"},
    ErrorKind{Errc::kPayloadTooLarge, 413, "payload_too_large", "Request body too large"},
    ErrorKind{Errc::kHeadersTooLarge, 431, "headers_too_large", "Request header fields too large"},
    ErrorKind{Errc::kInvalidCredentials, 401, "invalid_credentials",
              "Invalid username or password"},
    ErrorKind{Errc::kUnauthenticated, 401, "unauthenticated", "Not logged in"},
    ErrorKind{Errc::kSessionEnded, 401, "session_ended",
              "Your session has ended. Please log in again."},
    ErrorKind{Errc::kUsernameTaken, 409, "username_taken", "This username is already taken"},
    ErrorKind{Errc::kCsrfRejected, 403, "csrf_rejected", "Missing or invalid CSRF token"},
    ErrorKind{Errc::kOriginRejected, 403, "origin_rejected", "Cross-origin request refused"},
    ErrorKind{Errc::kAccountDisabled, 403, "account_disabled", "This account is disabled"},
    ErrorKind{Errc::kNotFound, 404, "not_found", "Not found"},
    ErrorKind{Errc::kMethodNotAllowed, 405, "method_not_allowed", "Method not allowed"},
    ErrorKind{Errc::kRateLimited, 429, "rate_limited", "Too many attempts. Try again later."},
    ErrorKind{Errc::kStorageUnavailable, 503, "storage_unavailable",
              "The service is temporarily unavailable"},
    ErrorKind{Errc::kServerBusy, 503, "server_busy", "Server busy: too many connections"},
    ErrorKind{Errc::kInternal, 500, "internal_error", "Internal server error"},
};

const ErrorKind& KindOf(Errc code) {
  for (const ErrorKind& kind : kErrors) {
    if (kind.errc == code) return kind;
  }
  return kErrors.back();  // kInternal: an Errc missing from the table is a bug (tested)
}

}  // namespace

int StatusFor(Errc code) { return KindOf(code).status; }

std::string_view CodeFor(Errc code) { return KindOf(code).code; }

std::string_view DefaultMessage(Errc code) { return KindOf(code).message; }

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

Response ErrorResponse(const Error& error) {
  const ErrorKind& kind = KindOf(error.code);
  boost::json::object body;
  body["error"] = error.message.empty() ? boost::json::string(kind.message)
                                        : boost::json::string(error.message);
  body["code"] = kind.code;
  if (!error.field.empty()) body["field"] = error.field;
  Response r = JsonResponse(kind.status, boost::json::serialize(body));
  if (error.code == Errc::kRateLimited) {
    r.AddHeader("Retry-After", std::to_string(std::max(1L, error.retry_after)));  // RFC 9110 10.2.3
  }
  return r;
}

}  // namespace latchkey::http
