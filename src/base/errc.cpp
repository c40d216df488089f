#include "base/errc.h"

#include <array>
#include <stdexcept>

namespace latchkey {
namespace {

// The one table. Codes are stable: clients and operators key on them (never rename one).
constexpr std::array kErrors{
    ErrcInfo{Errc::kInvalidInput, 400, "validation_failed", "The request is not valid"},
    ErrcInfo{Errc::kMalformedRequest, 400, "malformed_request", "Malformed HTTP request"},
    ErrcInfo{Errc::kUnsupportedMediaType, 415, "unsupported_media_type",
             "Content-Type must be application/json"},
    ErrcInfo{Errc::kPayloadTooLarge, 413, "payload_too_large", "Request body too large"},
    ErrcInfo{Errc::kHeadersTooLarge, 431, "headers_too_large", "Request header fields too large"},
    ErrcInfo{Errc::kInvalidCredentials, 401, "invalid_credentials", "Invalid username or password"},
    ErrcInfo{Errc::kUnauthenticated, 401, "unauthenticated", "Not logged in"},
    ErrcInfo{Errc::kSessionEnded, 401, "session_ended",
             "Your session has ended. Please log in again."},
    ErrcInfo{Errc::kUsernameTaken, 409, "username_taken", "This username is already taken"},
    ErrcInfo{Errc::kEmailTaken, 409, "email_taken",
             "This email address is already verified for another account"},
    ErrcInfo{Errc::kEmailUnverified, 403, "email_unverified",
             "Verify your email address to log in: follow the link in the mail we sent"},
    ErrcInfo{Errc::kInvalidToken, 400, "invalid_token",
             "This link or code is not valid: it was used, has expired or was replaced"},
    ErrcInfo{Errc::kUserMismatch, 409, "user_mismatch",
             "This page was opened for another user than the one now signed in"},
    ErrcInfo{Errc::kCsrfRejected, 403, "csrf_rejected", "Missing or invalid CSRF token"},
    ErrcInfo{Errc::kOriginRejected, 403, "origin_rejected", "Cross-origin request refused"},
    ErrcInfo{Errc::kAccountDisabled, 403, "account_disabled", "This account is disabled"},
    ErrcInfo{Errc::kNotFound, 404, "not_found", "Not found"},
    ErrcInfo{Errc::kMethodNotAllowed, 405, "method_not_allowed", "Method not allowed"},
    ErrcInfo{Errc::kRateLimited, 429, "rate_limited", "Too many attempts. Try again later."},
    ErrcInfo{Errc::kStorageUnavailable, 503, "storage_unavailable",
             "The service is temporarily unavailable"},
    ErrcInfo{Errc::kServerBusy, 503, "server_busy", "Server busy: too many connections"},
    ErrcInfo{Errc::kUpstreamUnavailable, 502, "upstream_unavailable",
             "The application behind Latchkey is unavailable"},
    ErrcInfo{Errc::kUpstreamTimeout, 504, "upstream_timeout",
             "The application behind Latchkey did not answer in time"},
    ErrcInfo{Errc::kInternal, 500, "internal_error", "Internal server error"},
};

}  // namespace

const ErrcInfo& InfoOf(Errc code) {
  for (const ErrcInfo& info : kErrors) {
    if (info.errc == code) return info;
  }
  return kErrors.back();  // kInternal: an Errc missing from the table is a bug (tested)
}

std::string_view MessageOf(const Error& error) {
  return error.message.empty() ? InfoOf(error.code).message : std::string_view(error.message);
}

void throw_exception_from_error(const Error& e, const boost::source_location& loc) {
  throw std::logic_error(std::string("unchecked Result error: ") + std::string(MessageOf(e)) +
                         " at " + loc.file_name() + ":" + std::to_string(loc.line()));
}

}  // namespace latchkey
