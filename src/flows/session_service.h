// A user's view of their own sessions (devices): list, revoke one, revoke all others
// (OWASP ASVS 3.3.4: users can see and end their active sessions).
// A session id of another user and an unknown id give the same kNotFound, so ids cannot be
// probed. Thread-safety: safe from many threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "flows/auth_service.h"

namespace latchkey::flows {

struct SessionView {
  session::SessionRecord record;
  bool current = false;  // the session making the request
};

class SessionService {
 public:
  SessionService(session::SessionStore& sessions, const Clock& clock, audit::AuditLog& audit)
      : sessions_(sessions), clock_(clock), audit_(audit) {}

  // Live sessions only, newest first. Errors: kStorageUnavailable.
  Result<std::vector<SessionView>> List(const session::Principal& caller);

  // Ends one of the caller's sessions. Returns true when it was the caller's own current
  // session (the caller should clear its cookie). Errors: kNotFound, kStorageUnavailable.
  Result<bool> Revoke(const session::Principal& caller, const session::SessionId& id,
                      const ClientInfo& client);

  // Ends every session of the caller but the current one; returns how many.
  // Errors: kStorageUnavailable.
  Result<long> RevokeOthers(const session::Principal& caller, const ClientInfo& client);

 private:
  session::SessionStore& sessions_;
  const Clock& clock_;
  audit::AuditLog& audit_;
};

}  // namespace latchkey::flows
