// Thin JSON handlers for the core of /api/auth: who am I, signup, login, logout, account
// removal. Parse the request, call the flow, shape the response; rules live in flows/.
// Thread-safety: safe from many threads (holds references to thread-safe services).
#pragma once

#include <optional>

#include "api/session_cookies.h"
#include "flows/auth_service.h"
#include "http/request.h"
#include "session/csrf.h"

namespace latchkey::api {

class AuthApi {
 public:
  AuthApi(flows::AuthService& auth, const SessionCookies& cookies, const session::CsrfTokens& csrf)
      : auth_(auth), cookies_(cookies), csrf_(csrf) {}

  http::Response Me(const http::Request& request);  // GET  /api/auth
  // Me when it can answer from memory on the I/O thread (http::FastHandler); else nullopt.
  std::optional<http::Response> MeInMemory(const http::Request& request);
  http::Response Signup(const http::Request& request);         // POST /api/auth/signup
  http::Response Login(const http::Request& request);          // POST /api/auth/login
  http::Response Logout(const http::Request& request);         // POST /api/auth/logout
  http::Response RemoveAccount(const http::Request& request);  // POST /api/auth/remove_account

  // 403 unless X-CSRF-Token verifies against this browser's latchkey_csrf cookie.
  std::optional<http::Response> CheckCsrf(const http::Request& request) const;

 private:
  flows::AuthService& auth_;
  const SessionCookies& cookies_;
  const session::CsrfTokens& csrf_;
};

}  // namespace latchkey::api
