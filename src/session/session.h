// Sessions are kept apart from users: one user, many sessions (one per device/browser).
// The store holds only SHA-256(session token), never the token (OWASP Session Management
// Cheat Sheet, "Session ID storage"); `id` is a separate public id that can be shown to the
// user and used to revoke a session without ever exposing a token.
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/tagged.h"
#include "identity/user.h"

namespace latchkey::session {

// A session's public id: 16 random bytes, base64url (22 chars). Shown to its user and used to
// revoke the session; never a credential.
struct SessionIdTag;
using SessionId = Tagged<std::string, SessionIdTag>;

// SHA-256 of a session token, as 64 lower-case hex characters: the only form in which the
// store knows a token (OWASP Session Management Cheat Sheet, "Session ID storage"). Never
// leaves the server.
struct TokenHashTag;
using TokenHash = Tagged<std::string, TokenHashTag>;

struct SessionRecord {
  SessionId id;
  identity::UserId user_id;
  TokenHash token_hash;
  UnixSeconds created_at = 0;
  UnixSeconds last_seen_at = 0;
  UnixSeconds expires_at = 0;    // absolute expiry, whatever the use (--session-lifetime)
  std::string user_agent;        // truncated to 512 bytes
  std::string ip;                // client address as seen by the server
  UnixSeconds idle_timeout = 0;  // seconds without use after which the session ends
  bool persistent = true;        // "remember me": persistent cookie vs browser-session cookie
};

// When the session ends if it is not used again: the earlier of the idle and the absolute
// expiry (OWASP Session Management Cheat Sheet, "Session Expiration"); last_seen_at: the
// latest use known (the record's, or a later one not written yet).
inline UnixSeconds EffectiveExpiry(const SessionRecord& s, UnixSeconds last_seen_at) {
  UnixSeconds idle_end = last_seen_at + s.idle_timeout;
  return idle_end < s.expires_at ? idle_end : s.expires_at;
}
inline UnixSeconds EffectiveExpiry(const SessionRecord& s) {
  return EffectiveExpiry(s, s.last_seen_at);
}

// A live session together with its principal, as resolved from a session cookie.
struct ResolvedSession {
  SessionRecord session;
  identity::User user;
};

// A resolved session shared read-only between the session cache and its readers: a cache hit
// costs a reference count, not a copy of every string.
using SharedSession = std::shared_ptr<const ResolvedSession>;

}  // namespace latchkey::session
