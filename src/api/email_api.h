// Thin JSON handlers for email addresses (flows/email_service.h):
//   POST /api/auth/email/verify  {"token"} (no session needed) | {"code"} (logged in)
//   POST /api/auth/email/resend  (logged in) a new verification mail
//   POST /api/auth/email/undo    {"token"} the old address back, every session ended
// Setting or changing the address is PATCH /api/auth/user {"email"} (api/account_api.h).
// Thread-safety: safe from many threads.
#pragma once

#include "api/pipeline.h"
#include "api/session_cookies.h"
#include "flows/email_service.h"

namespace latchkey::api {

class EmailApi {
 public:
  EmailApi(flows::EmailService& email, const SessionCookies& cookies)
      : email_(email), cookies_(cookies) {}

  http::Response Verify(const Context& c);  // POST /api/auth/email/verify
  http::Response Resend(const Context& c);  // POST /api/auth/email/resend
  http::Response Undo(const Context& c);    // POST /api/auth/email/undo

 private:
  flows::EmailService& email_;
  const SessionCookies& cookies_;
};

}  // namespace latchkey::api
