#include "api/routes.h"

#include "http/error_mapping.h"

namespace latchkey::api {

using http::Method;
using http::Pool;

namespace {

// A handler that calls a member function of an API object that outlives the router.
template <class Api>
http::FastHandler BindFast(Api& api,
                           std::optional<http::Response> (Api::*fn)(const http::Request&)) {
  return [&api, fn](const http::Request& r) { return (api.*fn)(r); };
}

template <class Api>
http::Handler Bind(Api& api, http::Response (Api::*fn)(const http::Request&)) {
  return [&api, fn](const http::Request& r) { return (api.*fn)(r); };
}

}  // namespace

http::Router BuildRouter(const Apis& apis) {
  http::Router router;
  AuthApi& auth = apis.auth;
  AccountApi& account = apis.account;
  SessionsApi& sessions = apis.sessions;
  HealthApi& health = apis.health;
  // Pool: kStore for database work, kHashing where a password is hashed or verified.
  // clang-format off
  router.Add({Method::kGet,    "/healthz",                         Pool::kInline,  Bind(health, &HealthApi::Healthz)});
  router.Add({Method::kGet,    "/readyz",                          Pool::kStore,   Bind(health, &HealthApi::Readyz)});
  router.Add({Method::kGet,    "/api/auth",                        Pool::kStore,   Bind(auth, &AuthApi::Me), BindFast(auth, &AuthApi::MeInMemory)});
  router.Add({Method::kPost,   "/api/auth/signup",                 Pool::kHashing, Bind(auth, &AuthApi::Signup)});
  router.Add({Method::kPost,   "/api/auth/login",                  Pool::kHashing, Bind(auth, &AuthApi::Login)});
  router.Add({Method::kPost,   "/api/auth/logout",                 Pool::kStore,   Bind(auth, &AuthApi::Logout)});
  router.Add({Method::kPost,   "/api/auth/remove_account",         Pool::kHashing, Bind(auth, &AuthApi::RemoveAccount)});
  router.Add({Method::kPatch,  "/api/auth/user",                   Pool::kStore,   Bind(account, &AccountApi::UpdateProfile)});
  router.Add({Method::kPost,   "/api/auth/password",               Pool::kHashing, Bind(account, &AccountApi::ChangePassword)});
  router.Add({Method::kGet,    "/api/auth/events",                 Pool::kStore,   Bind(account, &AccountApi::Events)});
  router.Add({Method::kGet,    "/api/auth/sessions",               Pool::kStore,   Bind(sessions, &SessionsApi::List)});
  router.Add({Method::kPost,   "/api/auth/sessions/revoke_others", Pool::kStore,   Bind(sessions, &SessionsApi::RevokeOthers)});
  router.Add({Method::kDelete, "/api/auth/sessions/{id}",          Pool::kStore,   Bind(sessions, &SessionsApi::Revoke)});
  // clang-format on
  router.SetCsrfGuard([&auth](const http::Request& r) { return auth.CheckCsrf(r); });
  const PageApi& page = apis.page;
  router.SetFallback([&page](const http::Request& r) { return page.Handle(r); });
  return router;
}

}  // namespace latchkey::api
