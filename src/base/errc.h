// Outcomes that callers handle, as values. One table (base/errc.cpp) gives each its HTTP
// status, a stable machine-readable code (the `code` of every error body, which clients
// decide on) and a default public message; an Error may carry a more precise message (a
// validation rule), never a secret or a stack.
// Thread-safety: plain values.
#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace latchkey {

enum class Errc {
  kInvalidInput,          // a request field breaks a rule, or the body is not JSON: 400
  kMalformedRequest,      // not parseable as HTTP/1.1 (the transport): 400
  kUnsupportedMediaType,  // body is not application/json: 415
  kPayloadTooLarge,       // body over the limit: 413
  kHeadersTooLarge,       // header block over the limit (the transport): 431
  kInvalidCredentials,    // unknown user or wrong password, one outcome: 401
  kUnauthenticated,       // no session cookie, or one whose signature does not verify: 401
  kSessionEnded,          // a signed session cookie whose session ended or was revoked: 401
  kUsernameTaken,         // unique constraint on username: 409
  kEmailTaken,            // another account verified this address first: 409
  kEmailUnverified,       // right password, but --require-verified-email and none: 403
  kInvalidToken,          // a one-time token or code that is unknown, used or expired: 400
  kUserMismatch,          // X-Latchkey-Expect-User names another user than the session's: 409
  kCsrfRejected,          // missing or wrong X-CSRF-Token: 403
  kOriginRejected,        // a state-changing request from another origin: 403
  kAccountDisabled,       // right password, but an operator disabled the account: 403
  kNotFound,              // 404
  kMethodNotAllowed,      // known path, other method: 405
  kRateLimited,           // 429
  kStorageUnavailable,    // the store failed: 503
  kServerBusy,            // at the connection cap (the transport): 503
  kUpstreamUnavailable,   // the reverse proxy's upstream refused, reset or sent bad HTTP: 502
  kUpstreamTimeout,       // the upstream did not connect or answer in time: 504
  kInternal,              // a bug: 500 (stays last: the table's test walks up to it)
};

// An error value: code, the request field to blame (may be empty) and a public message.
struct Error {
  Errc code;
  std::string field;     // JSON field name, or empty
  std::string message;   // shown to the client; empty: the code's default; never a secret
  long retry_after = 0;  // kRateLimited, kServerBusy: seconds until a retry may succeed
                         // (Retry-After; at least 1)
};

// message: only where it says more than the code's default (a validation rule, an operator's
// CLI message); field: the request field to blame.
inline Error MakeError(Errc code, std::string message = {}, std::string field = {}) {
  return Error{code, std::move(field), std::move(message), 0};
}

// One row of the table: the HTTP status (RFC 9110 section 15; 429 and 431: RFC 6585), the
// stable code (snake_case; never renamed: clients and operators key on it) and the default
// public message.
struct ErrcInfo {
  Errc errc;
  int status;
  std::string_view code;
  std::string_view message;
};
const ErrcInfo& InfoOf(Errc code);

// What to show of an error (an API body, a CLI line, a log): its own message, else its code's.
std::string_view MessageOf(const Error& error);

// Called by boost::system::result<T, Error>::value() when it holds an error: a bug.
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace latchkey
