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
// Endpoint::admits. kUnverified: a session without a verified address under
// --require-verified-email may see itself, verify, resend, set the address, leave, or delete
// its account; and use the routes whose authority is a credential of the request (a password,
// a mailed token). kChecksItself: forward auth refuses restricted sessions itself (403 with
// X-Latchkey-Error-Code, as its other refusals).
constexpr session::Restrictions kUnrestricted = {};
constexpr session::Restrictions kUnverified = session::Restriction::kEmailUnverified;
constexpr session::Restrictions kChecksItself = session::Restrictions::All();

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
  // Session: what the route needs of the caller's session (api/pipeline.h); then the
  // restrictions a live session may carry on the route (session/principal.h).
  // Every GET route answers HEAD as well (http/router.h).
  // clang-format off
  return {
    {Method::kGet,    "/healthz",                         Pool::kInline,  kNone,     kUnrestricted, Bind(health, &HealthApi::Healthz)},
    {Method::kGet,    "/readyz",                          Pool::kStore,   kNone,     kUnrestricted, Bind(health, &HealthApi::Readyz)},
    {Method::kGet,    "/.well-known/jwks.json",           Pool::kInline,  kNone,     kUnrestricted, Bind(jwks, &JwksApi::Jwks)},
    {Method::kGet,    "/api/auth",                        Pool::kInline,  kRequired, kUnverified,   Bind(auth, &AuthApi::Me)},
    {Method::kGet,    "/api/auth/verify",                 Pool::kInline,  kOptional, kChecksItself, Bind(verify, &VerifyApi::Verify), kHandlerChecksExpectedUser},
    {Method::kPost,   "/api/auth/signup",                 Pool::kHashing, kNone,     kUnrestricted, Bind(auth, &AuthApi::Signup)},
    {Method::kPost,   "/api/auth/login",                  Pool::kHashing, kOptional, kUnverified,   Bind(auth, &AuthApi::Login)},
    {Method::kPost,   "/api/auth/logout",                 Pool::kStore,   kOptional, kUnverified,   Bind(auth, &AuthApi::Logout)},
    {Method::kPost,   "/api/auth/remove_account",         Pool::kHashing, kRequired, kUnverified,   Bind(auth, &AuthApi::RemoveAccount)},
    {Method::kPatch,  "/api/auth/user",                   Pool::kHashing, kRequired, kUnverified,   Bind(account, &AccountApi::UpdateProfile)},
    {Method::kPost,   "/api/auth/password",               Pool::kHashing, kRequired, kUnrestricted, Bind(account, &AccountApi::ChangePassword)},
    {Method::kGet,    "/api/auth/events",                 Pool::kStore,   kRequired, kUnrestricted, Bind(account, &AccountApi::Events)},
    {Method::kGet,    "/api/auth/sessions",               Pool::kStore,   kRequired, kUnrestricted, Bind(sessions, &SessionsApi::List)},
    {Method::kPost,   "/api/auth/sessions/revoke_others", Pool::kStore,   kRequired, kUnrestricted, Bind(sessions, &SessionsApi::RevokeOthers)},
    {Method::kDelete, "/api/auth/sessions/{id}",          Pool::kStore,   kRequired, kUnrestricted, Bind(sessions, &SessionsApi::Revoke)},
    {Method::kPost,   "/api/auth/email/verify",           Pool::kStore,   kOptional, kUnverified,   Bind(email, &EmailApi::Verify)},
    {Method::kPost,   "/api/auth/email/resend",           Pool::kStore,   kOptional, kUnverified,   Bind(email, &EmailApi::Resend)},
    {Method::kPost,   "/api/auth/email/undo",             Pool::kStore,   kOptional, kUnverified,   Bind(email, &EmailApi::Undo)},
    {Method::kPost,   "/api/auth/recovery",               Pool::kStore,   kNone,     kUnrestricted, Bind(recovery, &RecoveryApi::Request)},
    {Method::kPost,   "/api/auth/recovery/complete",      Pool::kHashing, kOptional, kUnverified,   Bind(recovery, &RecoveryApi::Complete)},
  };
  // clang-format on
}

}  // namespace latchkey::api
