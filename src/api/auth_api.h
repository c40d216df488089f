// Thin JSON handlers for /api/auth: parse the request, call flows::AuthService, shape the
// response. No rules live here; they live in flows/ and identity/.
// Thread-safety: safe from many threads (holds references to thread-safe services).
#pragma once

#include <optional>
#include <string>

#include "api/cookie_policy.h"
#include "flows/auth_service.h"
#include "http/request.h"
#include "session/csrf.h"
#include "session/session_token.h"

namespace latchkey::api {

class AuthApi {
 public:
  AuthApi(flows::AuthService& auth, const session::SessionTokenCodec& tokens,
          const session::CsrfTokens& csrf, CookiePolicy cookies)
      : auth_(auth), tokens_(tokens), csrf_(csrf), cookies_(cookies) {}

  http::Response Me(const http::Request& request);             // GET  /api/auth
  http::Response Signup(const http::Request& request);         // POST /api/auth/signup
  http::Response Login(const http::Request& request);          // POST /api/auth/login
  http::Response Logout(const http::Request& request);         // POST /api/auth/logout
  http::Response RemoveAccount(const http::Request& request);  // POST /api/auth/remove_account

  // 403 unless X-CSRF-Token verifies against this browser's latchkey_csrf cookie.
  std::optional<http::Response> CheckCsrf(const http::Request& request) const;

 private:
  // SHA-256 of the token in a correctly signed session cookie; nullopt for no cookie, a
  // duplicate cookie, or a bad signature (checked before any store work).
  std::optional<std::string> SessionTokenHash(const http::Request& request) const;
  http::Response LoggedIn(int status, const flows::LoginResult& result, bool secure) const;
  void ClearSessionCookie(http::Response& response, bool secure) const;

  flows::AuthService& auth_;
  const session::SessionTokenCodec& tokens_;
  const session::CsrfTokens& csrf_;
  CookiePolicy cookies_;
};

// {"user": {"id", "username", "name"}}: the only shape in which a user leaves the server.
std::string UserJson(const identity::User& user);

}  // namespace latchkey::api
