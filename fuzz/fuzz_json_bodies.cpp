// libFuzzer target: JSON request parsing (http/json_body.h) and the validation every endpoint
// body goes through, by sending each body-taking endpoint's request through the real request
// pipeline (api/pipeline.h) to its handler over the real services (support/fuzz_app.h).
//
// Input: byte 0 picks the endpoint (low 3 bits, see kEndpoints) and the Content-Type (bits
// 4-5, see kContentTypes); the rest is the body. Requests carry a live session cookie and a valid
// CSRF pair, so the authenticated endpoints reach their validation.
// Invariants (a violation aborts: a crash):
// - No handler throws and none answers 5xx: a client's mistake is a 4xx.
// - ParseJsonObject fails only with 415 (Content-Type not JSON: and then always) or 400
//   (kInvalidInput), and the handler answers that same status. A parsed object serializes and
//   parses again to an equal object (ParseJsonObjectText, as `latchkey import` reads lines), unless
//   it holds a floating-point number (see HasDouble).
// - A 2xx answer only for fields that pass the endpoint's rules, re-derived here from the
//   object: strings without NUL/CR/LF in valid UTF-8; username, password (list, not the
//   username) and name rules for signup; the name rule for a profile update; the new-password
//   rule for a password change.
#include <boost/json.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/json_body.h"
#include "identity/validation.h"
#include "support/fuzz_app.h"
#include "support/fuzz_keys.h"

namespace {

using latchkey::fuzz::Check;
namespace http = latchkey::http;
namespace identity = latchkey::identity;
namespace json = boost::json;

enum class Endpoint { kSignup, kLogin, kRemoveAccount, kUpdateProfile, kChangePassword, kImport };
constexpr std::array kEndpoints = {Endpoint::kSignup,         Endpoint::kLogin,
                                   Endpoint::kRemoveAccount,  Endpoint::kUpdateProfile,
                                   Endpoint::kChangePassword, Endpoint::kImport};
constexpr std::array<std::string_view, 4> kContentTypes = {
    "application/json", "application/json; charset=utf-8", "Application/JSON ", "text/plain"};

bool IsJsonType(std::string_view ct) { return ct != "text/plain"; }

// True when value holds a floating-point number. Those need not round-trip: 1e400 parses as
// infinity, which Boost.JSON serializes as text it does not parse back, and integers past
// 2^64 become doubles. No endpoint reads a number, so only structure and strings are checked.
bool HasDouble(const json::value& value) {
  if (value.is_double()) return true;
  if (value.is_object()) {
    for (const auto& item : value.get_object()) {
      if (HasDouble(item.value())) return true;
    }
  }
  if (value.is_array()) {
    for (const auto& item : value.get_array()) {
      if (HasDouble(item)) return true;
    }
  }
  return false;
}

// A parsed object serializes and parses again to an equal object, unless HasDouble.
void CheckRoundTrip(const json::object& object, const char* what) {
  if (HasDouble(object)) return;
  auto again = http::ParseJsonObjectText(json::serialize(object));
  Check(again && *again == object, what);
}

// A string field as the handlers read it: present and valid, or the fallback when missing.
std::optional<std::string> Field(const json::object& body, std::string_view key, bool required,
                                 std::string_view fallback = {}) {
  auto r = http::StringField(body, key, required, fallback);
  if (!r) return std::nullopt;
  return *r;
}

// Whether the endpoint's rules accept the body (the part a 2xx depends on, besides the store).
bool RulesAccept(Endpoint endpoint, const json::object& body,
                 const identity::PasswordPolicy& passwords) {
  auto remember = http::BoolField(body, "remember", true);
  switch (endpoint) {
    case Endpoint::kSignup: {
      auto username = Field(body, "username", true);
      auto password = Field(body, "password", true);
      auto name = Field(body, "name", false);
      return username && password && name && remember && identity::ValidateUsername(*username) &&
             passwords.Validate(*password, *username) && identity::ValidateName(*name);
    }
    case Endpoint::kLogin:
      return Field(body, "username", true) && Field(body, "password", true) && remember;
    case Endpoint::kRemoveAccount:
      return Field(body, "password", false).has_value();
    case Endpoint::kUpdateProfile: {
      auto name = Field(body, "name", true);
      return name && identity::ValidateName(*name);
    }
    case Endpoint::kChangePassword: {
      auto next = Field(body, "new_password", true);
      // The username rule is the session user's: only the format and the list are known here.
      return Field(body, "current_password", false) && next &&
             identity::ValidatePassword(*next, "new_password") && !passwords.IsCommon(*next);
    }
    case Endpoint::kImport:
      return true;
  }
  return false;
}

// The endpoint's path: the request goes through the whole request pipeline (api/pipeline.h),
// session resolution and guards included, to the real handler.
const char* PathOf(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kSignup:
      return "/api/auth/signup";
    case Endpoint::kLogin:
      return "/api/auth/login";
    case Endpoint::kRemoveAccount:
      return "/api/auth/remove_account";
    case Endpoint::kUpdateProfile:
      return "/api/auth/user";
    case Endpoint::kChangePassword:
      return "/api/auth/password";
    case Endpoint::kImport:
      break;
  }
  return "/";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static latchkey::fuzz::FuzzApp& app = latchkey::fuzz::FuzzApp::Instance();
  if (size == 0) return 0;
  Endpoint endpoint = kEndpoints[(data[0] & 7) % kEndpoints.size()];
  std::string_view content_type = kContentTypes[(data[0] >> 4) & 3];
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  app.Tick(5);  // throttle windows pass as inputs go by

  if (endpoint == Endpoint::kImport) {
    auto line = http::ParseJsonObjectText(body);
    if (!line) {
      Check(line.error().code == latchkey::Errc::kInvalidInput, "import line: not kInvalidInput");
    } else {
      CheckRoundTrip(*line, "an import line does not round-trip");
    }
    return 0;
  }

  http::Request request;
  request.method =
      endpoint == Endpoint::kUpdateProfile ? http::Method::kPatch : http::Method::kPost;
  request.content_type = std::string(content_type);
  request.body = body;
  request.client_ip = "203.0.113.7";
  request.user_agent = "fuzz_json_bodies";
  request.path = PathOf(endpoint);
  request.cookie =
      "latchkey_session=" + app.LiveSessionCookie() + "; latchkey_csrf=" + app.CsrfBinding();
  request.csrf_token = app.CsrfToken();

  auto parsed = http::ParseJsonObject(request);
  int parse_status = 0;  // what a failed parse must be answered with
  if (!parsed) {
    auto code = parsed.error().code;
    Check(code == latchkey::Errc::kInvalidInput || code == latchkey::Errc::kUnsupportedMediaType,
          "ParseJsonObject failed with an unexpected code");
    Check((code == latchkey::Errc::kUnsupportedMediaType) == !IsJsonType(content_type),
          "415 does not match the Content-Type");
    parse_status = code == latchkey::Errc::kUnsupportedMediaType ? 415 : 400;
  } else {
    Check(IsJsonType(content_type), "a text/plain body was parsed");
    CheckRoundTrip(*parsed, "a parsed body does not round-trip");
  }

  http::Response response = app.pipeline().Handle(request);
  Check(response.status >= 200 && response.status < 500, "an endpoint answered a body with 5xx");
  // RemoveAccount reads no body when it is empty (a missing password, not a parse error).
  bool body_read = !(endpoint == Endpoint::kRemoveAccount && body.empty());
  if (parse_status != 0 && body_read) {
    Check(response.status == parse_status, "a bad body was not answered 400/415");
  }
  if (response.status < 300) {
    Check(parsed.has_value() || !body_read, "2xx for a body that does not parse");
    if (parsed) {
      Check(RulesAccept(endpoint, *parsed, app.passwords()), "2xx for a body the rules refuse");
    }
  }
  return 0;
}
