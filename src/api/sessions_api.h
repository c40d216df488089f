// Thin JSON handlers for a user's own sessions: GET /api/auth/sessions,
// DELETE /api/auth/sessions/{id}, POST /api/auth/sessions/revoke_others.
// Thread-safety: safe from many threads.
#pragma once

#include "api/session_cookies.h"
#include "flows/session_service.h"
#include "http/request.h"

namespace latchkey::api {

class SessionsApi {
 public:
  SessionsApi(flows::SessionService& sessions, const SessionCookies& cookies)
      : sessions_(sessions), cookies_(cookies) {}

  http::Response List(const http::Request& request);
  http::Response Revoke(const http::Request& request);
  http::Response RevokeOthers(const http::Request& request);

 private:
  flows::SessionService& sessions_;
  const SessionCookies& cookies_;
};

}  // namespace latchkey::api
