// Reading and writing the session cookie, shared by every handler that needs a session.
// Thread-safety: immutable; safe from any thread.
#pragma once

#include <optional>
#include <string>

#include "api/cookie_policy.h"
#include "flows/auth_service.h"
#include "http/request.h"
#include "session/session_token.h"

namespace latchkey::api {

class SessionCookies {
 public:
  SessionCookies(const session::SessionTokenCodec& tokens, CookiePolicy policy)
      : tokens_(tokens), policy_(policy) {}

  // SHA-256 of the token in a correctly signed session cookie; nullopt for no cookie, a
  // duplicated cookie name, or a bad signature (checked before any store work).
  std::optional<session::TokenHash> TokenHash(const http::Request& request) const;

  // Set-Cookie for a new session: persistent (Max-Age) or browser-session (no Max-Age).
  void Set(http::Response& response, const flows::LoginResult& login, bool secure) const;

  // Set-Cookie that deletes the session cookie.
  void Clear(http::Response& response, bool secure) const;

  const CookiePolicy& policy() const { return policy_; }

 private:
  const session::SessionTokenCodec& tokens_;
  CookiePolicy policy_;
};

// {"user": {"id", "username", "name"}}: the only shape in which a user leaves the server.
std::string UserJson(const identity::User& user);

// Who made the request, for sessions and the audit log.
inline flows::ClientInfo ClientOf(const http::Request& request) {
  return flows::ClientInfo{request.client_ip, request.user_agent, request.request_id};
}

// {"success": true}
inline constexpr const char* kSuccessJson = R"({"success":true})";

}  // namespace latchkey::api
