// The one list of routes. A new endpoint is one line here.
#pragma once

#include "api/account_api.h"
#include "api/auth_api.h"
#include "api/health_api.h"
#include "api/page_api.h"
#include "api/sessions_api.h"
#include "http/router.h"

namespace latchkey::api {

struct Apis {
  AuthApi& auth;
  AccountApi& account;
  SessionsApi& sessions;
  HealthApi& health;
  const PageApi& page;
};

http::Router BuildRouter(const Apis& apis);

}  // namespace latchkey::api
