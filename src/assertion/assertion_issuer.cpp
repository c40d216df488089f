#include "assertion/assertion_issuer.h"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace latchkey::assertion {

AssertionIssuer::AssertionIssuer(const SigningKeys& keys, const Clock& clock, IssuerPolicy policy)
    : keys_(keys),
      clock_(clock),
      policy_(std::move(policy)),
      shard_capacity_(
          policy_.max_entries == 0 ? 0 : std::max<std::size_t>(1, policy_.max_entries / kShards)) {
  if (policy_.lifetime < Seconds(1) || policy_.lifetime > kMaxAssertionLifetime) {
    throw std::invalid_argument("assertion lifetime must be 1-60 seconds");
  }
}

Claims AssertionIssuer::ClaimsOf(const session::Principal& principal, std::string_view audience,
                                 UnixTime now) const {
  Claims c;
  c.issuer = policy_.issuer;
  c.audience = std::string(audience);
  // The claims are the token's wire form (RFC 7519 strings): the typed ids end here.
  c.subject = std::to_string(principal.user_id().value());
  c.session_id = principal.session_id().value();
  c.username = principal.user().username;
  c.issued_at = now;
  // Never valid after the session's absolute end (the idle end moves with use, so it is not a
  // bound; the proxy asks only for live sessions).
  c.expires_at = std::min(now + policy_.lifetime, principal.session().expires_at);
  return c;
}

std::string AssertionIssuer::Issue(const session::Principal& principal, std::string_view audience) {
  const UnixTime now = clock_.Now();
  Key key{principal.session_id(), std::string(audience)};
  Shard& shard = shards_[KeyHash{}(key) % kShards];
  if (shard_capacity_ > 0) {
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(key);
    if (it != shard.entries.end() && now < it->second.refresh_at &&
        it->second.user_id == principal.user_id() &&
        it->second.username == principal.user().username) {
      return it->second.token;
    }
  }
  Claims claims = ClaimsOf(principal, audience, now);
  std::string token = EncodeJwt(keys_.current(), claims);  // outside the lock
  if (shard_capacity_ > 0) {
    UnixTime refresh_at = std::min(now + RefreshAfter(key), claims.expires_at);
    Store(shard, std::move(key), Entry{token, principal.user_id(), claims.username, refresh_at},
          now);
  }
  return token;
}

Seconds AssertionIssuer::RefreshAfter(const Key& key) const {
  // Two thirds of the lifetime, less a spread of up to a sixth that each (session, audience)
  // keeps from one token to the next: tokens signed in the same second (every session after
  // a restart, or a burst of logins) come due over lifetime/6 seconds instead of all at once,
  // and stay apart in the generations after. The hash's upper bits: the shard took the lower.
  const Seconds spread_max = policy_.lifetime / 6;
  const auto spread = static_cast<Seconds::rep>((KeyHash{}(key) >> 32) %
                                                static_cast<std::size_t>(spread_max.count() + 1));
  // A third rounded up: more than ceil(lifetime/3) seconds are left at any reuse (the clock
  // counts whole seconds); a 1 s lifetime is signed every time.
  return policy_.lifetime - (policy_.lifetime + Seconds(2)) / 3 - Seconds(spread);
}

std::size_t AssertionIssuer::KeyHash::operator()(const Key& key) const noexcept {
  std::size_t h = std::hash<session::SessionId>{}(key.session_id);
  // boost::hash_combine's mixing: the session id and the audience both spread the keys.
  return h ^ (std::hash<std::string>{}(key.audience) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

void AssertionIssuer::Store(Shard& shard, Key key, Entry entry, UnixTime now) {
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(key);
  if (it != shard.entries.end()) {
    it->second = std::move(entry);
    return;
  }
  if (shard.entries.size() >= shard_capacity_) {
    // Entries past their refresh time are worthless (ended sessions' among them): first out.
    std::erase_if(shard.entries, [now](const auto& kv) { return kv.second.refresh_at <= now; });
    if (shard.entries.size() >= shard_capacity_) shard.entries.erase(shard.entries.begin());
  }
  shard.entries.emplace(std::move(key), std::move(entry));
}

std::size_t AssertionIssuer::size() const {
  std::size_t n = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    n += shard.entries.size();
  }
  return n;
}

}  // namespace latchkey::assertion
