// The one list of routes. A new endpoint is one line here.
#pragma once

#include <vector>

#include "api/account_api.h"
#include "api/auth_api.h"
#include "api/email_api.h"
#include "api/health_api.h"
#include "api/jwks_api.h"
#include "api/pipeline.h"
#include "api/recovery_api.h"
#include "api/sessions_api.h"
#include "api/verify_api.h"

namespace latchkey::api {

struct Apis {
  AuthApi& auth;
  AccountApi& account;
  SessionsApi& sessions;
  HealthApi& health;
  VerifyApi& verify;
  JwksApi& jwks;
  EmailApi& email;
  RecoveryApi& recovery;
};

// The endpoints of the main listener, for api::Pipeline (which routes in this order).
std::vector<Endpoint> Endpoints(const Apis& apis);

}  // namespace latchkey::api
