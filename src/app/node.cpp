#include "app/node.h"

#include <algorithm>
#include <chrono>

#include "api/routes.h"

namespace latchkey::app {
namespace {

// Recovery requests whose account part waits to run after their answer (flows/
// recovery_service.h); beyond it (a flood) a request does that part before answering.
constexpr std::size_t kRecoveryQueueCapacity = 1024;

}  // namespace

flows::SessionPolicy SessionPolicyOf(const Settings& settings) {
  flows::SessionPolicy policy;
  policy.lifetime = Seconds(settings.session_lifetime_seconds);
  policy.idle_timeout = Seconds(settings.session_idle_timeout_seconds);
  policy.idle_timeout_short = Seconds(settings.session_idle_timeout_short_seconds);
  policy.touch_interval = std::clamp<Seconds>(
      std::min(policy.idle_timeout, policy.idle_timeout_short) / 10, Seconds(1), Seconds(60));
  return policy;
}

assertion::IssuerPolicy IssuerPolicyOf(const Settings& settings) {
  assertion::IssuerPolicy policy;
  policy.issuer = settings.public_url;
  policy.lifetime = Seconds(settings.assertion_lifetime_seconds);
  policy.max_entries = settings.session_cache_entries;
  return policy;
}

flows::ThrottlePolicies ThrottlePoliciesOf(const Settings& settings) {
  flows::ThrottlePolicies policies;
  policies.signup_ip.hourly_cap = settings.signup_rate_limit;
  policies.login_ip.free_failures = settings.login_free_failures;
  policies.login_account.free_failures = settings.login_free_failures;
  policies.ipv6_prefix = settings.throttle_ipv6_prefix;
  return policies;
}

crypto::PasswordHashParams HashParamsOf(const Settings& settings) {
  crypto::PasswordHashParams params;
  params.algorithm = settings.password_algorithm;
  return params;
}

Core::Core(const Clock& c, store::Database& d, const identity::PasswordPolicy& p,
           crypto::PasswordHashParams hashing)
    : clock(c), db(d), passwords(p), hasher(hashing) {}

Node::Node(const Settings& settings, const Clock& clock, store::Database& db,
           const crypto::Keyring& keys, const crypto::Sealer& sealer_keys,
           const assertion::SigningKeys& assertion_keys, const identity::PasswordPolicy& passwords,
           crypto::PasswordHashParams hashing, NodeOptions options)
    : sealer(sealer_keys),
      core(clock, db, passwords, hashing),
      session_cache(settings.session_cache_entries, std::chrono::seconds(60)),
      store(db, session_cache, clock),
      resolver(store, session_cache, clock, SessionPolicyOf(settings).touch_interval,
               session::RestrictionPolicy{settings.require_verified_email}),
      tokens(keys),
      csrf(keys),
      issuer(tokens, clock, SessionPolicyOf(settings)),
      minter(keys),
      account_mail(sealer, settings.public_url),
      auth(store, store, store, core.hasher, issuer,
           flows::Guards{core.audit, core.throttle, ThrottlePoliciesOf(settings)}, passwords,
           flows::EmailSetup{store, minter, account_mail, settings.require_verified_email}),
      accounts(auth, store, store, core.hasher, issuer, core.audit, db.events()),
      sessions(store, clock, core.audit),
      email(auth, store, store, minter, account_mail,
            flows::Guards{core.audit, core.throttle, ThrottlePoliciesOf(settings)}, clock,
            settings.require_verified_email),
      recovery(store, store, store, core.hasher, issuer,
               flows::Guards{core.audit, core.throttle, ThrottlePoliciesOf(settings)}, passwords,
               minter, account_mail, options.background_recovery ? kRecoveryQueueCapacity : 0),
      assertions(assertion_keys, clock, IssuerPolicyOf(settings)),
      page(settings.web_root),
      assets(settings.web_root),
      cookie_policy{settings.cookie_max_age_seconds},
      cookies(tokens, cookie_policy),
      origin_policy(settings.allowed_origins),
      upstreams(settings.upstreams),
      pipeline({origin_policy, csrf, cookies, resolver, page_api, &upstreams, &assertions},
               api::Endpoints({auth_api, account_api, sessions_api, health_api, verify_api,
                               jwks_api, email_api, recovery_api})) {
  if (options.batch_touches) {
    touches.emplace(db.sessions(), std::chrono::seconds(1));
    store.SetTouchBatcher(&*touches);
    resolver.SetTouchBatcher(&*touches);
  }
  if (options.refresh_ahead && session_cache.enabled()) {
    refresher.emplace(
        [this](const session::TokenHash& token_hash) { store.RefreshSession(token_hash); },
        std::chrono::milliseconds(250), settings.session_cache_entries);
    resolver.SetRefresher(&*refresher);
  }
}

Node::~Node() {
  // The threads first (they call into the store), then nothing refers to them.
  resolver.SetRefresher(nullptr);
  refresher.reset();
  resolver.SetTouchBatcher(nullptr);
  store.SetTouchBatcher(nullptr);
  touches.reset();
}

}  // namespace latchkey::app
