#include "api/routes.h"

namespace latchkey::api {

using http::Method;
using http::Pool;

namespace {

// A handler that calls a member function of an API object that outlives the pipeline.
template <class Api>
EndpointHandler Bind(Api& api, http::Response (Api::*fn)(const Context&)) {
  return [&api, fn](const Context& c) { return (api.*fn)(c); };
}

constexpr SessionUse kNone = SessionUse::kNone;
constexpr SessionUse kOptional = SessionUse::kOptional;
constexpr SessionUse kRequired = SessionUse::kRequired;
constexpr bool kHandlerChecksExpectedUser = true;  // Endpoint::handler_checks_expected_user

}  // namespace

std::vector<Endpoint> Endpoints(const Apis& apis) {
  AuthApi& auth = apis.auth;
  AccountApi& account = apis.account;
  SessionsApi& sessions = apis.sessions;
  HealthApi& health = apis.health;
  VerifyApi& verify = apis.verify;
  JwksApi& jwks = apis.jwks;
  EmailApi& email = apis.email;
  RecoveryApi& recovery = apis.recovery;
  // Pool: kInline answers on the I/O thread (a session the cache cannot answer moves it to
  // kStore), kStore for database work, kHashing where a password is hashed or verified.
  // Session: what the route needs of the caller's session (api/pipeline.h).
  // Every GET route answers HEAD as well (http/router.h).
  // clang-format off
  return {
    {Method::kGet,    "/healthz",                         Pool::kInline,  kNone,     Bind(health, &HealthApi::Healthz)},
    {Method::kGet,    "/readyz",                          Pool::kStore,   kNone,     Bind(health, &HealthApi::Readyz)},
    {Method::kGet,    "/.well-known/jwks.json",           Pool::kInline,  kNone,     Bind(jwks, &JwksApi::Jwks)},
    {Method::kGet,    "/api/auth",                        Pool::kInline,  kRequired, Bind(auth, &AuthApi::Me)},
    {Method::kGet,    "/api/auth/verify",                 Pool::kInline,  kOptional, Bind(verify, &VerifyApi::Verify), kHandlerChecksExpectedUser},
    {Method::kPost,   "/api/auth/signup",                 Pool::kHashing, kNone,     Bind(auth, &AuthApi::Signup)},
    {Method::kPost,   "/api/auth/login",                  Pool::kHashing, kOptional, Bind(auth, &AuthApi::Login)},
    {Method::kPost,   "/api/auth/logout",                 Pool::kStore,   kOptional, Bind(auth, &AuthApi::Logout)},
    {Method::kPost,   "/api/auth/remove_account",         Pool::kHashing, kRequired, Bind(auth, &AuthApi::RemoveAccount)},
    {Method::kPatch,  "/api/auth/user",                   Pool::kHashing, kRequired, Bind(account, &AccountApi::UpdateProfile)},
    {Method::kPost,   "/api/auth/password",               Pool::kHashing, kRequired, Bind(account, &AccountApi::ChangePassword)},
    {Method::kGet,    "/api/auth/events",                 Pool::kStore,   kRequired, Bind(account, &AccountApi::Events)},
    {Method::kGet,    "/api/auth/sessions",               Pool::kStore,   kRequired, Bind(sessions, &SessionsApi::List)},
    {Method::kPost,   "/api/auth/sessions/revoke_others", Pool::kStore,   kRequired, Bind(sessions, &SessionsApi::RevokeOthers)},
    {Method::kDelete, "/api/auth/sessions/{id}",          Pool::kStore,   kRequired, Bind(sessions, &SessionsApi::Revoke)},
    {Method::kPost,   "/api/auth/email/verify",           Pool::kStore,   kOptional, Bind(email, &EmailApi::Verify)},
    {Method::kPost,   "/api/auth/email/resend",           Pool::kStore,   kRequired, Bind(email, &EmailApi::Resend)},
    {Method::kPost,   "/api/auth/email/undo",             Pool::kStore,   kOptional, Bind(email, &EmailApi::Undo)},
    {Method::kPost,   "/api/auth/recovery",               Pool::kStore,   kNone,     Bind(recovery, &RecoveryApi::Request)},
    {Method::kPost,   "/api/auth/recovery/complete",      Pool::kHashing, kOptional, Bind(recovery, &RecoveryApi::Complete)},
  };
  // clang-format on
}

}  // namespace latchkey::api
