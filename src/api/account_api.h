// Thin JSON handlers for a logged-in user's account: PATCH /api/auth/user (profile name and
// email address: flows/email_service.h) and
// POST /api/auth/password (password change with session rotation) and GET /api/auth/events
// (the user's own recent audit events).
// Thread-safety: safe from many threads.
#pragma once

#include "api/pipeline.h"
#include "api/session_cookies.h"
#include "flows/account_service.h"
#include "flows/email_service.h"

namespace latchkey::api {

class AccountApi {
 public:
  AccountApi(flows::AccountService& accounts, flows::EmailService& email,
             const SessionCookies& cookies)
      : accounts_(accounts), email_(email), cookies_(cookies) {}

  http::Response UpdateProfile(const Context& c);   // PATCH /api/auth/user
  http::Response ChangePassword(const Context& c);  // POST  /api/auth/password
  http::Response Events(const Context& c);          // GET   /api/auth/events

  static constexpr int kEventsShown = 50;

 private:
  flows::AccountService& accounts_;
  flows::EmailService& email_;
  const SessionCookies& cookies_;
};

}  // namespace latchkey::api
