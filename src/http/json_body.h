// Reading JSON request bodies: the gate before any flow sees input.
//   Content-Type must be application/json (a charset parameter is allowed): else 415.
//   The body is at most the server's body limit (enforced while reading: 413).
//   It must parse as one JSON object of valid UTF-8 (Boost.JSON's default): else 400.
//   No object in it may repeat a key: else 400, naming the top-level field it is in.
// Field getters answer 400 with the field name for a wrong type, and StringField for text
// that is not valid UTF-8 or holds NUL, CR or LF.
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "base/errc.h"
#include "http/request.h"

namespace latchkey::http {

Result<boost::json::object> ParseJsonObject(const Request& request);

// The same checks on JSON text that is not a request body (one line of `latchkey import`):
// one object, no repeated key, at most 16 levels deep. Errors: kInvalidInput.
Result<boost::json::object> ParseJsonObjectText(std::string_view text);

// The string at key: missing or null gives fallback when not required, else kInvalidInput.
// Any other type, invalid UTF-8, or a NUL, CR or LF in it: kInvalidInput with field = key.
Result<std::string> StringField(const boost::json::object& body, std::string_view key,
                                bool required, std::string_view fallback = {});

// The boolean at key: missing or null gives fallback; any other type: kInvalidInput.
Result<bool> BoolField(const boost::json::object& body, std::string_view key, bool fallback);

}  // namespace latchkey::http
