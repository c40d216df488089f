// Mints new sessions: a fresh token (session/session_token.h) and its row, with the
// lifetimes of the session policy. Used by every flow that logs a device in (signup, login,
// password change). Thread-safety: immutable; safe from any thread.
#pragma once

#include <string>

#include "audit/audit_log.h"
#include "base/clock.h"
#include "session/session.h"
#include "session/session_token.h"

namespace latchkey::flows {

// Who is asking: recorded on the session so the user can recognise their devices, and in
// the audit log.
using ClientInfo = audit::Origin;

// Session lifetimes (OWASP Session Management Cheat Sheet, "Session Expiration"; OWASP ASVS
// 3.3.1-3.3.2). All in seconds.
struct SessionPolicy {
  UnixSeconds lifetime = 30 * 86400;          // absolute: ends then whatever the use
  UnixSeconds idle_timeout = 14 * 86400;      // "remember me": ends after this long unused
  UnixSeconds idle_timeout_short = 2 * 3600;  // browser-session login: ends sooner when idle
  UnixSeconds touch_interval = 60;            // last_seen_at is written at most this often
};

struct IssuedSession {
  session::SessionRecord record;
  Secret cookie_value;  // Set-Cookie only; never logged or stored
};

class SessionIssuer {
 public:
  SessionIssuer(const session::SessionTokenCodec& tokens, const Clock& clock, SessionPolicy policy)
      : tokens_(tokens), clock_(clock), policy_(policy) {}

  // persistent: "remember me" (long idle timeout, persistent cookie) or not.
  IssuedSession Issue(identity::UserId user_id, bool persistent, const ClientInfo& client) const;

  const SessionPolicy& policy() const { return policy_; }
  const Clock& clock() const { return clock_; }

 private:
  const session::SessionTokenCodec& tokens_;
  const Clock& clock_;
  SessionPolicy policy_;
};

}  // namespace latchkey::flows
