// The one table from Errc to HTTP status, and JSON error responses:
// {"error": "<public message>", "field": "<field>"} (field only when one is to blame).
#pragma once

#include "base/errc.h"
#include "http/request.h"

namespace latchkey::http {

int StatusFor(Errc code);

// A JSON error response with the status for error.code.
Response ErrorResponse(const Error& error);

// A JSON response: Content-Type application/json, Cache-Control no-store.
Response JsonResponse(int status, std::string body);

}  // namespace latchkey::http
