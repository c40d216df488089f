// Thin JSON handlers for the core of /api/auth: who am I, signup, login, logout, account
// removal. Parse the request, call the flow, shape the response; rules live in flows/.
// Thread-safety: safe from many threads (holds references to thread-safe services).
#pragma once

#include "api/pipeline.h"
#include "api/session_cookies.h"
#include "flows/auth_service.h"

namespace latchkey::api {

class AuthApi {
 public:
  AuthApi(flows::AuthService& auth, const SessionCookies& cookies)
      : auth_(auth), cookies_(cookies) {}

  // GET /api/auth (session required): the caller. Runs inline when the session was resolved
  // from memory (the session check of every page load and poll).
  http::Response Me(const Context& c);
  http::Response Signup(const Context& c);         // POST /api/auth/signup
  http::Response Login(const Context& c);          // POST /api/auth/login (session optional)
  http::Response Logout(const Context& c);         // POST /api/auth/logout (session optional)
  http::Response RemoveAccount(const Context& c);  // POST /api/auth/remove_account

 private:
  flows::AuthService& auth_;
  const SessionCookies& cookies_;
};

}  // namespace latchkey::api
