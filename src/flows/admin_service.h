// The operators' use cases behind `latchkey user ...` and `latchkey session ...`: add a user,
// reset a password, disable, enable or delete a user, revoke sessions. Plain synchronous C++
// over the store contracts (no SQL, no CLI): app/admin_users.cpp and app/admin_sessions.cpp
// call it; unit tests call it with a fake clock.
//
// Rules it enforces:
// - A new password (add, set-password) is prepared and passes the same rules as at signup
//   (identity/password_policy.h: RFC 8265 preparation, the format of identity/validation.h,
//   not a common password, not the username; NIST SP 800-63B 5.1.1.2).
// - A password reset ends every session of the user (NIST SP 800-63B; OWASP Session
//   Management Cheat Sheet, "Renew the Session ID After Any Privilege Level Change").
// - Disabling a user deletes its sessions in the same transaction, and its login is refused
//   (AuthService::Login, kAccountDisabled); enabling lets it log in again.
// - Every change is an audit event (ASVS 7.1.3), ip empty and user agent "latchkey-cli".
// Errors: kNotFound (no such user or session), kInvalidInput (field), kUsernameTaken,
// kStorageUnavailable. Thread-safety: as the stores.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/errc.h"
#include "base/secret.h"
#include "crypto/password_hasher.h"
#include "identity/password_policy.h"
#include "identity/user_store.h"
#include "session/session_store.h"

namespace latchkey::flows {

class AdminService {
 public:
  AdminService(identity::UserStore& users, session::SessionStore& sessions,
               const crypto::PasswordHasher& hasher, const identity::PasswordPolicy& passwords,
               audit::AuditLog& audit, const Clock& clock);

  // Validates, hashes (slow) and inserts a user without a session; `email` (optional) is
  // stored unverified and no mail goes out (the CLI holds no mail keys): the user asks for the
  // verification mail from the account page. Errors: kInvalidInput (field), kUsernameTaken.
  Result<identity::User> AddUser(const std::string& username, const std::string& name,
                                 const Secret& password, const std::string& email = {});

  // The user with this username (any ASCII case) or, failing that and when `ref` is all
  // digits, with this id. Errors: kNotFound.
  Result<identity::UserRecord> FindUser(std::string_view ref);

  // Sets a new password (validated, hashed) and deletes every session of the user.
  Result<identity::User> SetPassword(std::string_view ref, const Secret& password);

  // Disables the user (its sessions deleted) or enables it. Returns false when it already was
  // in that state (nothing written).
  Result<bool> Disable(std::string_view ref);
  Result<bool> Enable(std::string_view ref);

  // Deletes the user and its sessions; returns it.
  Result<identity::User> DeleteUser(std::string_view ref);

  // Deletes the session with this public id (any user's); returns it. Errors: kNotFound.
  Result<session::SessionRecord> RevokeSession(const session::SessionId& id);

  // Deletes every session of the user; returns how many were still live.
  Result<long> RevokeUserSessions(std::string_view ref);

 private:
  void Record(audit::EventType type, const identity::User& user);

  identity::UserStore& users_;
  session::SessionStore& sessions_;
  const crypto::PasswordHasher& hasher_;
  const identity::PasswordPolicy& passwords_;
  audit::AuditLog& audit_;
  const Clock& clock_;
};

}  // namespace latchkey::flows
