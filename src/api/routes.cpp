#include "api/routes.h"

#include "http/error_mapping.h"

namespace latchkey::api {

using http::Method;
using http::Pool;

http::Router BuildRouter(AuthApi& auth, const PageApi& page) {
  http::Router router;
  auto bind = [&auth](http::Response (AuthApi::*fn)(const http::Request&)) {
    return [&auth, fn](const http::Request& r) { return (auth.*fn)(r); };
  };
  // clang-format off
  router.Add({Method::kGet,  "/healthz",                 Pool::kInline,  false,
              [](const http::Request&) { return http::JsonResponse(200, R"({"status":"ok"})"); }});
  router.Add({Method::kGet,  "/api/auth",                Pool::kStore,   false, bind(&AuthApi::Me)});
  router.Add({Method::kPost, "/api/auth/signup",         Pool::kHashing, true,  bind(&AuthApi::Signup)});
  router.Add({Method::kPost, "/api/auth/login",          Pool::kHashing, true,  bind(&AuthApi::Login)});
  router.Add({Method::kPost, "/api/auth/logout",         Pool::kStore,   true,  bind(&AuthApi::Logout)});
  router.Add({Method::kPost, "/api/auth/remove_account", Pool::kStore,   true,  bind(&AuthApi::RemoveAccount)});
  // clang-format on
  router.SetCsrfGuard([&auth](const http::Request& r) { return auth.CheckCsrf(r); });
  router.SetFallback([&page](const http::Request& r) { return page.Handle(r); });
  return router;
}

}  // namespace latchkey::api
