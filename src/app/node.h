// The composition root: the object graph of a Latchkey node, built in one place for every
// command (`serve`, the admin commands), the fuzz targets and the tests. Each part refers only
// to parts declared before it; members are public and in construction order (destroyed in the
// reverse order), so the graph reads top to bottom.
//
// What callers choose (LevelDB's Env): the clock, the database (a temporary SQLite file in
// tests), the keyring, the sealer and the assertion signing keys (fresh in-memory keys in tests;
// they outlive the node), the password rules and the hashing parameters (cheap in tests), and
// NodeOptions. Everything else comes from Settings, as `latchkey serve` resolves them.
// `serve` adds only what a process needs around the graph (server, metrics, sweeper, feed).
// Thread-safety: built and destroyed on one thread; the parts are safe as each one says.
#pragma once

#include <optional>

#include "api/account_api.h"
#include "api/auth_api.h"
#include "api/email_api.h"
#include "api/health_api.h"
#include "api/jwks_api.h"
#include "api/page_api.h"
#include "api/pipeline.h"
#include "api/recovery_api.h"
#include "api/session_cookies.h"
#include "api/sessions_api.h"
#include "api/verify_api.h"
#include "app/config.h"
#include "assertion/assertion_issuer.h"
#include "assertion/signing_keys.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "crypto/keyring.h"
#include "crypto/password_hasher.h"
#include "crypto/sealer.h"
#include "flows/account_mail.h"
#include "flows/account_service.h"
#include "flows/admin_service.h"
#include "flows/auth_service.h"
#include "flows/email_service.h"
#include "flows/recovery_service.h"
#include "flows/session_issuer.h"
#include "flows/session_service.h"
#include "http/origin_policy.h"
#include "http/static_files.h"
#include "identity/password_policy.h"
#include "onetime/one_time_token.h"
#include "session/cache_refresher.h"
#include "session/csrf.h"
#include "session/session_cache.h"
#include "session/session_resolver.h"
#include "session/session_token.h"
#include "session/touch_batcher.h"
#include "store/caching_store.h"
#include "store/database.h"
#include "throttle/throttle.h"
#include "web/page.h"

namespace latchkey::app {

// The session policy of the settings; touch_interval: a tenth of the shortest idle timeout,
// between 1 s and a minute (last_seen_at precision).
flows::SessionPolicy SessionPolicyOf(const Settings& settings);

// The assertion issuer's policy of the settings (--public-url, --assertion-lifetime); as many
// cached assertions as cached sessions (one audience each).
assertion::IssuerPolicy IssuerPolicyOf(const Settings& settings);

// The brute-force limits of the settings (--login-free-failures, --signup-rate-limit).
flows::ThrottlePolicies ThrottlePoliciesOf(const Settings& settings);

// The hashing parameters of the settings (--password-hash).
crypto::PasswordHashParams HashParamsOf(const Settings& settings);

// What every command works with: hashing, the password rules, audit, throttle and the
// operators' use cases. Alone for the admin commands (one process, no cache), inside Node
// for `serve`.
struct Core {
  Core(const Clock& clock, store::Database& db, const identity::PasswordPolicy& passwords,
       crypto::PasswordHashParams hashing);

  const Clock& clock;
  store::Database& db;
  const identity::PasswordPolicy& passwords;
  crypto::PasswordHasher hasher;
  audit::AuditLog audit{db.events(), clock};
  throttle::Throttle throttle{db.throttles(), clock};
  flows::AdminService admin{db.users(), db.sessions(), hasher, passwords, audit, clock};
};

struct NodeOptions {
  bool batch_touches = true;  // uses recorded by a TouchBatcher thread; off: written through
  bool refresh_ahead = true;  // cached sessions re-read by a CacheRefresher thread; off: at ttl
  // The account part of a recovery request runs after its answer, on the recovery service's
  // queue (flows/recovery_service.h); off: before it.
  bool background_recovery = true;
};

// The request-serving graph of `latchkey serve`.
struct Node {
  Node(const Settings& settings, const Clock& clock, store::Database& db,
       const crypto::Keyring& keys, const crypto::Sealer& sealer,
       const assertion::SigningKeys& assertion_keys, const identity::PasswordPolicy& passwords,
       crypto::PasswordHashParams hashing, NodeOptions options = {});
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Seals secrets kept at rest (crypto/sealer.h): the variables of queued mail
  // (mail::SealMailVariables), TOTP secrets. Outlives the node, as the keys do.
  const crypto::Sealer& sealer;
  Core core;
  // Session checks are served from memory; every change evicts (store/caching_store.h).
  session::SessionCache session_cache;
  store::CachingStore store;
  // last_seen_at writes batched once a second (session/touch_batcher.h): a session check whose
  // touch is due stays on the I/O thread. Destroyed after the pipeline: writes what is left.
  std::optional<session::TouchBatcher> touches;
  session::SessionResolver resolver;
  // Sessions in use are re-read before the cache's ttl, off the request path; at most one
  // queued refresh per cacheable session.
  std::optional<session::CacheRefresher> refresher;
  session::SessionTokenCodec tokens;
  session::CsrfTokens csrf;
  flows::SessionIssuer issuer;
  // One-time tokens (codes keyed by the keyring) and the mails that carry them, with links
  // from --public-url only (flows/account_mail.h).
  onetime::Minter minter;
  flows::AccountMail account_mail;
  flows::AuthService auth;
  flows::AccountService accounts;
  flows::SessionService sessions;
  flows::EmailService email;
  flows::RecoveryService recovery;
  // X-Latchkey-Assertion for upstreams: `assertions.Issue(context.principal(), audience)`
  // (assertion/assertion_issuer.h); its public keys at GET /.well-known/jwks.json.
  assertion::AssertionIssuer assertions;
  web::PageTemplate page;
  http::StaticFiles assets;
  api::CookiePolicy cookie_policy;
  api::SessionCookies cookies;
  api::AuthApi auth_api{auth, cookies};
  api::AccountApi account_api{accounts, email, cookies};
  api::EmailApi email_api{email, cookies};
  api::RecoveryApi recovery_api{recovery, cookies};
  api::SessionsApi sessions_api{sessions, cookies};
  api::PageApi page_api{page, assets, csrf, cookie_policy};
  api::HealthApi health_api{core.db};
  api::JwksApi jwks_api{assertions.keys()};
  // Cross-origin state-changing API calls are refused before the CSRF check (ASVS 4.0.3
  // 4.2.2, 14.5.3; http/origin_policy.h).
  http::OriginPolicy origin_policy;
  // The reverse proxy's upstreams and public paths (--upstream, --public-path), also read by
  // forward auth.
  http::proxy::UpstreamTable upstreams;
  api::VerifyApi verify_api{upstreams, origin_policy, csrf, cookies, &assertions};
  api::Pipeline pipeline;
};

}  // namespace latchkey::app
