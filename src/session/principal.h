// The principal of a request: the user behind a live session, as resolved once per request
// from its session cookie (api/pipeline.h) and handed to handlers and flows as a value.
// Flows act for a principal; none of them takes a token or its hash from a caller.
//
// Holds the resolved session shared with the session cache (a copy costs a reference count).
// A principal may carry restrictions: a live session that may, for now, use only the routes
// that admit each of them (api/pipeline.h Endpoint::admits; docs/ARCHITECTURE.md,
// "Restricted sessions"). They are worked out once per request from the cached user and the
// settings (RestrictionPolicy), so a change of the user (an address verified) lifts them on the
// next request: the store evicts the user's cached sessions after the write.
// Room for what a second factor adds (assurance level, methods, auth time: RFC 8176, NIST
// SP 800-63B 4) belongs here, beside the session it describes.
// Thread-safety: immutable; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "session/session.h"

namespace latchkey::session {

// Why a live session may not use every route yet. Each one has its refusal (403 and a code,
// api/pipeline.cpp RestrictionError) on the routes that do not admit it.
enum class Restriction : std::uint8_t {
  // --require-verified-email and the user has no verified address (NIST SP 800-63B 4.1 leaves
  // the policy to the service; a session that cannot yet act keeps signup and login uniform):
  // 403 email_unverified.
  kEmailUnverified = 1U << 0U,
};

// A set of restrictions (a bit set; empty: an unrestricted session).
class Restrictions {
 public:
  constexpr Restrictions() = default;
  constexpr Restrictions(Restriction r)  // NOLINT(google-explicit-constructor): a set of one
      : bits_(static_cast<std::uint8_t>(r)) {}
  static constexpr Restrictions All() { return Restrictions(0xFFU); }

  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool Has(Restriction r) const { return (bits_ & static_cast<std::uint8_t>(r)) != 0; }
  constexpr Restrictions operator|(Restrictions other) const {
    return Restrictions(static_cast<std::uint8_t>(bits_ | other.bits_));
  }
  // Those of this set that `admitted` does not hold.
  constexpr Restrictions Except(Restrictions admitted) const {
    return Restrictions(static_cast<std::uint8_t>(bits_ & ~admitted.bits_));
  }
  constexpr bool operator==(const Restrictions&) const = default;

 private:
  constexpr explicit Restrictions(std::uint8_t bits) : bits_(bits) {}
  std::uint8_t bits_ = 0;
};

// Which restrictions a live session carries under the server's settings.
struct RestrictionPolicy {
  bool require_verified_email = false;  // --require-verified-email

  Restrictions Of(const identity::User& user) const {
    Restrictions r;
    if (require_verified_email && !user.email_verified) r = r | Restriction::kEmailUnverified;
    return r;
  }
};

class Principal {
 public:
  // `resolved` must not be null.
  explicit Principal(SharedSession resolved, Restrictions restrictions = {})
      : resolved_(std::move(resolved)), restrictions_(restrictions) {}

  const identity::User& user() const { return resolved_->user; }
  identity::UserId user_id() const { return resolved_->user.id; }
  // The session the request was made with (its token hash identifies it in the store; never
  // leave the server with it).
  const SessionRecord& session() const { return resolved_->session; }
  // The session's public id (shown to the user, used to revoke it).
  const SessionId& session_id() const { return resolved_->session.id; }
  // What the session may not do yet (empty: anything its routes allow).
  Restrictions restrictions() const { return restrictions_; }

 private:
  SharedSession resolved_;
  Restrictions restrictions_;
};

// What a request's session cookie stood for once resolved.
struct Resolution {
  enum class State {
    kNone,   // no session cookie, or one whose signature does not verify
    kLive,   // a live session: `principal` is set
    kEnded,  // a correctly signed cookie whose session no longer exists or has ended
  };
  State state = State::kNone;
  std::optional<Principal> principal;

  static Resolution None() { return {}; }
  static Resolution Ended() { return {State::kEnded, std::nullopt}; }
  static Resolution Live(SharedSession s, Restrictions r = {}) {
    return {State::kLive, Principal(std::move(s), r)};
  }
  bool live() const { return state == State::kLive; }
};

}  // namespace latchkey::session
