// Account self-service for a logged-in user: profile name and password change.
// Password change (OWASP ASVS 2.1.5-2.1.6, 3.3.3): needs the current password, applies the
// password rules, rehashes, rotates this device's session and revokes every other session of
// the user, all in one transaction.
// Thread-safety: safe from many threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/event_store.h"
#include "flows/auth_service.h"

namespace latchkey::flows {

class AccountService {
 public:
  AccountService(AuthService& auth, identity::UserStore& users, session::AccountStore& accounts,
                 const crypto::PasswordHasher& hasher, const SessionIssuer& issuer,
                 audit::AuditLog& audit, audit::EventStore& events)
      : auth_(auth),
        users_(users),
        accounts_(accounts),
        hasher_(hasher),
        issuer_(issuer),
        audit_(audit),
        events_(events) {}

  // Errors: kInvalidInput field "name", kUnauthenticated (the user is gone),
  // kStorageUnavailable.
  Result<identity::User> UpdateProfile(const session::Principal& caller, const std::string& name,
                                       const ClientInfo& client);

  // The caller's own recent audit events (logins, failures, revocations...), newest first.
  // Errors: kStorageUnavailable.
  Result<std::vector<audit::AuthEvent>> RecentEvents(const session::Principal& caller, int limit);

  // Slow (two hash operations). Returns the new cookie for this device.
  // Errors: kUnauthenticated (field "current_password" when it is wrong), kRateLimited,
  // kInvalidInput field "new_password", kStorageUnavailable.
  Result<LoginResult> ChangePassword(const session::Principal& caller,
                                     const Secret& current_password, const Secret& new_password,
                                     const ClientInfo& client);

 private:
  AuthService& auth_;
  identity::UserStore& users_;
  session::AccountStore& accounts_;
  const crypto::PasswordHasher& hasher_;
  const SessionIssuer& issuer_;
  audit::AuditLog& audit_;
  audit::EventStore& events_;
};

}  // namespace latchkey::flows
