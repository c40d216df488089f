// The principal of a request: the user behind a live session, as resolved once per request
// from its session cookie (api/pipeline.h) and handed to handlers and flows as a value.
// Flows act for a principal; none of them takes a token or its hash from a caller.
//
// Holds the resolved session shared with the session cache (a copy costs a reference count).
// Room for what a second factor adds (assurance level, methods, auth time: RFC 8176, NIST
// SP 800-63B 4) belongs here, beside the session it describes.
// Thread-safety: immutable; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "session/session.h"

namespace latchkey::session {

class Principal {
 public:
  // `resolved` must not be null.
  explicit Principal(SharedSession resolved) : resolved_(std::move(resolved)) {}

  const identity::User& user() const { return resolved_->user; }
  identity::UserId user_id() const { return resolved_->user.id; }
  // The session the request was made with (its token hash identifies it in the store; never
  // leave the server with it).
  const SessionRecord& session() const { return resolved_->session; }
  // The session's public id (shown to the user, used to revoke it).
  const SessionId& session_id() const { return resolved_->session.id; }

 private:
  SharedSession resolved_;
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
  static Resolution Live(SharedSession s) { return {State::kLive, Principal(std::move(s))}; }
  bool live() const { return state == State::kLive; }
};

}  // namespace latchkey::session
