// X-Request-Id: the id that ties a request's log line, its auth events and the client's view
// of the answer together. A client's (or proxy's) id is kept when it is 1-128 characters of
// [A-Za-z0-9._:-] (safe in a log line and a header: no spaces, quotes or control characters
// to forge log entries with; OWASP Logging Cheat Sheet, "injection"); otherwise a new one is
// made. Not a secret: it is echoed on every response and written to the logs.
// Thread-safety: both functions are safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace latchkey::http {

// Longest request id accepted from a client.
inline constexpr std::size_t kMaxRequestIdLength = 128;

// True when `id` is 1-128 characters of [A-Za-z0-9._:-].
bool IsAcceptableRequestId(std::string_view id);

// Length of a generated id: 15 characters fit std::string's inline buffer (libstdc++), so a
// request without an id of its own costs no allocation for one.
inline constexpr std::size_t kGeneratedRequestIdLength = 15;

// 15 characters of [A-Za-z0-9_-] (90 bits) from a per-thread generator seeded from libsodium
// (sodium_init() must have run): unique and unguessable enough for an id that is not a
// secret, without a system call or an allocation per request.
std::string NewRequestId();

// `offered` when acceptable, else NewRequestId().
std::string RequestIdFor(std::string_view offered);

}  // namespace latchkey::http
