// Issues X-Latchkey-Assertion: a short-lived JWT, signed with the node's current assertion key
// (assertion/signing_keys.h), that tells an upstream who the caller is in a form it can check
// against GET /.well-known/jwks.json without trusting the network between it and Latchkey.
//
//   Issue(principal, audience) -> compact JWS (RFC 7515 section 7.1), ~400 ASCII bytes:
//     header {"alg":"EdDSA"|"ES256","kid","typ":"JWT"}
//     claims {"iss": policy.issuer, "aud": audience, "sub": user id (decimal string),
//             "sid": public session id (never the token), "username",
//             "iat": now, "exp": iat + policy.lifetime, no later than the session's absolute
//             expiry}  (RFC 7519 section 4.1; times in seconds since the epoch)
//
// Cache: signing on every proxied request would cost a signature each (EdDSA ~37 us, ES256
// more), so a token is cached per (session id, audience) and reused until between a half and
// a third of its lifetime is left (refresh_at: a spread fixed per key, so that tokens signed
// together are not all re-signed together), then signed anew: an upstream always receives a
// token with more than ceil(lifetime/3) seconds to go (20 s of 60), or, near the session's
// absolute expiry, one that ends with the session (exp is never later; it may then be
// reused until its last second). The cache is bounded (max_entries, split over
// kShards shards): at a full shard the expired entries go first (entries of ended sessions expire
// within `lifetime`: dropped lazily, no sweeper), then an arbitrary one. A miss costs a
// signature, never a failure.
// Errors: none a caller handles; OpenSSL failing (no memory) throws std::runtime_error.
// Thread-safety: Issue is safe from any thread (one mutex per shard, held for a lookup or an
// insert, never while signing).
#pragma once

#include <array>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "assertion/jwt.h"
#include "assertion/signing_keys.h"
#include "base/clock.h"
#include "session/principal.h"

namespace latchkey::assertion {

// The longest an assertion may live (seconds): issue 17 section 3; an assertion is a bearer
// credential towards the upstream, so its replay window stays short.
inline constexpr Seconds kMaxAssertionLifetime = Seconds(60);

struct IssuerPolicy {
  std::string issuer;                // iss: --public-url (https://app.example.com)
  Seconds lifetime = Seconds(60);    // exp - iat, 1 s..kMaxAssertionLifetime
  std::size_t max_entries = 100000;  // cached tokens at most (0: no cache, sign every call)
};

class AssertionIssuer {
 public:
  // Throws std::invalid_argument when policy.lifetime is outside 1..kMaxAssertionLifetime.
  AssertionIssuer(const SigningKeys& keys, const Clock& clock, IssuerPolicy policy);

  // The assertion for `principal` towards `audience`: cached while it has more than a third of
  // its lifetime left, else signed now with keys.current().
  std::string Issue(const session::Principal& principal, std::string_view audience);

  // The claims Issue signs at `now` (for tests and logs: no signature).
  Claims ClaimsOf(const session::Principal& principal, std::string_view audience,
                  UnixTime now) const;

  const SigningKeys& keys() const { return keys_; }
  const IssuerPolicy& policy() const { return policy_; }
  // Cached tokens now (every shard locked in turn).
  std::size_t size() const;

 private:
  static constexpr std::size_t kShards = 16;  // I/O threads rarely wait on one another
  struct Entry {
    std::string token;
    identity::UserId user_id;  // with username: a renamed user gets a fresh token
    std::string username;
    UnixTime refresh_at{};  // from then on, signed anew
  };
  struct Key {
    session::SessionId session_id;
    std::string audience;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<Key, Entry, KeyHash> entries;
  };
  void Store(Shard& shard, Key key, Entry entry, UnixTime now);
  // How long after signing the key's token is re-signed: lifetime - ceil(lifetime/3) -
  // (0..lifetime/6).
  Seconds RefreshAfter(const Key& key) const;

  const SigningKeys& keys_;
  const Clock& clock_;
  IssuerPolicy policy_;
  std::size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace latchkey::assertion
