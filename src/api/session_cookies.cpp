#include "api/session_cookies.h"

#include <boost/json.hpp>
#include <string_view>

#include "http/cookies.h"

namespace latchkey::api {

std::optional<session::TokenHash> SessionCookies::TokenHash(const http::Request& request) const {
  auto value = http::FindCookie(request.cookie, SessionCookieName(request.tls));
  if (!value) return std::nullopt;
  return tokens_.Verify(*value);
}

void SessionCookies::Set(http::Response& response, const flows::LoginResult& login,
                         bool secure) const {
  http::CookieOptions options = policy_.Options(secure);
  if (!login.persistent) options.max_age.reset();  // gone when the browser closes
  response.AddHeader("Set-Cookie", http::SetCookieHeader(SessionCookieName(secure),
                                                         login.cookie_value.Reveal(), options));
}

void SessionCookies::Clear(http::Response& response, bool secure) const {
  response.AddHeader("Set-Cookie",
                     http::ClearCookieHeader(SessionCookieName(secure), policy_.Options(secure)));
}

namespace {

// Appends `text` as a JSON string literal. Boost.JSON's serializer escapes exactly the bytes
// below 0x20, the quote and the backslash (boost/json/impl/serializer.ipp) and copies every other
// byte; a text without them (every validated username, almost every name) is appended as it is, the
// others go through the serializer. The fast path skips the serializer's set-up (perf: the
// user JSON was 1.6% of a session check's CPU, most of it in two serializers).
void AppendJsonString(std::string& out, std::string_view text) {
  bool plain = true;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    plain &= c >= 0x20 && c != '"' && c != '\\';
  }
  if (plain) {
    out += '"';
    out += text;
    out += '"';
    return;
  }
  boost::json::serializer serializer;
  serializer.reset(boost::json::string_view(text.data(), text.size()));
  char buffer[256];
  while (!serializer.done()) {
    boost::json::string_view part = serializer.read(buffer, sizeof buffer);
    out.append(part.data(), part.size());
  }
}

}  // namespace

std::string UserJson(const identity::User& user) {
  // {"user":{"id":..,"username":"..","name":"..","email":".."|null,"email_verified":b}},
  // assembled directly: this runs on every
  // session check, and a JSON tree costs more than the answer (perf: ~1 us of ~37 per check).
  std::string out;
  out.reserve(96 + user.username.size() + user.name.size() + user.email.size());
  out += R"({"user":{"id":)";
  out += std::to_string(user.id.value());
  out += R"(,"username":)";
  AppendJsonString(out, user.username);
  out += R"(,"name":)";
  AppendJsonString(out, user.name);
  out += R"(,"email":)";
  if (user.email.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, user.email);
  }
  out += user.email_verified ? R"(,"email_verified":true}})" : R"(,"email_verified":false}})";
  return out;
}

}  // namespace latchkey::api
