// Thin JSON handlers for a user's own sessions: GET /api/auth/sessions,
// DELETE /api/auth/sessions/{id}, POST /api/auth/sessions/revoke_others.
// Thread-safety: safe from many threads.
#pragma once

#include "api/pipeline.h"
#include "api/session_cookies.h"
#include "flows/session_service.h"

namespace latchkey::api {

class SessionsApi {
 public:
  SessionsApi(flows::SessionService& sessions, const SessionCookies& cookies)
      : sessions_(sessions), cookies_(cookies) {}

  http::Response List(const Context& c);
  http::Response Revoke(const Context& c);
  http::Response RevokeOthers(const Context& c);

 private:
  flows::SessionService& sessions_;
  const SessionCookies& cookies_;
};

}  // namespace latchkey::api
