// Errors as HTTP answers, from the one table of errors (base/errc.cpp: each Errc's HTTP
// status, its stable code, the `code` of every error body that docs/API.md and
// docs/openapi.json list, and its default public message):
//   {"error": "<public message>", "code": "<code>", "field": "<field>"}
// (field only when one request field is to blame). Clients decide on `code` and `field`,
// never on the message, which is for people.
// Thread-safety: pure functions over constant data.
#pragma once

#include <string_view>

#include "base/errc.h"
#include "http/request.h"

namespace latchkey::http {

int StatusFor(Errc code);

// A JSON error response with the status for error.code (and Retry-After when rate limited).
Response ErrorResponse(const Error& error);

// A JSON response: Content-Type application/json, Cache-Control no-store.
Response JsonResponse(int status, std::string body);

}  // namespace latchkey::http
