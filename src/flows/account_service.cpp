#include "flows/account_service.h"

#include "identity/validation.h"

namespace latchkey::flows {

Result<identity::User> AccountService::UpdateProfile(const session::Principal& caller,
                                                     const std::string& name,
                                                     const ClientInfo& client) {
  if (auto r = identity::ValidateName(name); !r) return r.error();
  auto updated = users_.UpdateName(caller.user_id(), name);
  if (updated) {
    audit_.Record(audit::EventType::kProfileUpdated, updated->id, updated->username, client);
  }
  return updated;
}

Result<std::vector<audit::AuthEvent>> AccountService::RecentEvents(const session::Principal& caller,
                                                                   int limit) {
  return events_.ListUserEvents(caller.user_id(), limit);
}

Result<LoginResult> AccountService::ChangePassword(const session::Principal& caller,
                                                   const Secret& current_password,
                                                   const Secret& new_password,
                                                   const ClientInfo& client) {
  // Rules first: a refused new password costs no hash (and it must not equal the username).
  // The current password is checked as login checks it (flows/password_check.h).
  auto prepared = auth_.password_policy().PrepareNew(new_password.Reveal(), caller.user().username,
                                                     "new_password");
  if (!prepared) return prepared.error();
  if (auto r = auth_.Reauthenticate(caller, current_password, "current_password"); !r) {
    if (!r.error().field.empty()) {
      audit_.Record(audit::EventType::kPasswordChangeFailed, caller.user_id(),
                    caller.user().username, client);
    }
    return r.error();
  }
  auto hash = hasher_.Hash(prepared->Reveal());
  if (!hash) return hash.error();
  bool persistent = caller.session().persistent;
  IssuedSession issued = issuer_.Issue(caller.user_id(), persistent, client);
  if (auto r = accounts_.ReplacePassword(caller.user_id(), *hash, issued.record); !r) {
    return r.error();
  }
  audit_.Record(audit::EventType::kPasswordChanged, caller.user_id(), caller.user().username,
                client);
  return LoginResult{caller.user(), std::move(issued.cookie_value), persistent};
}

}  // namespace latchkey::flows
