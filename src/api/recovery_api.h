// Thin JSON handlers for account recovery (flows/recovery_service.h):
//   POST /api/auth/recovery           {"login"}: always 202 {"success":true}
//   POST /api/auth/recovery/complete  {"token"} | {"code", "login"}, "new_password",
//                                     "remember": 200 {"user"} with a fresh session cookie
// Thread-safety: safe from many threads.
#pragma once

#include "api/pipeline.h"
#include "api/session_cookies.h"
#include "flows/recovery_service.h"

namespace latchkey::api {

class RecoveryApi {
 public:
  RecoveryApi(flows::RecoveryService& recovery, const SessionCookies& cookies)
      : recovery_(recovery), cookies_(cookies) {}

  http::Response Request(const Context& c);   // POST /api/auth/recovery
  http::Response Complete(const Context& c);  // POST /api/auth/recovery/complete

 private:
  flows::RecoveryService& recovery_;
  const SessionCookies& cookies_;
};

}  // namespace latchkey::api
