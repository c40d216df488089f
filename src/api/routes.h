// The one list of routes. A new endpoint is one line here.
#pragma once

#include "api/auth_api.h"
#include "api/page_api.h"
#include "http/router.h"

namespace latchkey::api {

http::Router BuildRouter(AuthApi& auth, const PageApi& page);

}  // namespace latchkey::api
