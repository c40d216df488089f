#include "flows/account_service.h"

#include "identity/validation.h"

namespace latchkey::flows {

Result<identity::User> AccountService::UpdateProfile(const std::optional<std::string>& token_hash,
                                                     const std::string& name,
                                                     const ClientInfo& client) {
  auto current = auth_.Authenticate(token_hash);
  if (!current) return current.error();
  if (auto r = identity::ValidateName(name); !r) return r.error();
  auto updated = users_.UpdateName(current->user.id, name);
  if (updated) {
    audit_.Record(audit::EventType::kProfileUpdated, updated->id, updated->username, client);
  }
  return updated;
}

Result<std::vector<audit::AuthEvent>> AccountService::RecentEvents(
    const std::optional<std::string>& token_hash, int limit) {
  auto current = auth_.Authenticate(token_hash);
  if (!current) return current.error();
  return events_.ListUserEvents(current->user.id, limit);
}

Result<LoginResult> AccountService::ChangePassword(const std::optional<std::string>& token_hash,
                                                   const std::string& current_password,
                                                   const std::string& new_password,
                                                   const ClientInfo& client) {
  // Rules first: a refused new password costs no hash. No session: 401 before any rule talk;
  // the session also gives the username the new password must not equal.
  {
    auto who = auth_.Authenticate(token_hash);
    if (!who) return who.error();
    if (auto rule =
            auth_.password_policy().Validate(new_password, who->user.username, "new_password");
        !rule) {
      return rule.error();
    }
  }
  auto current = auth_.Reauthenticate(token_hash, current_password, "current_password");
  if (!current) {
    if (!current.error().field.empty()) {
      auto who = auth_.Authenticate(token_hash);
      if (who) {
        audit_.Record(audit::EventType::kPasswordChangeFailed, who->user.id, who->user.username,
                      client);
      }
    }
    return current.error();
  }
  auto hash = hasher_.Hash(new_password);
  if (!hash) return hash.error();
  IssuedSession issued = issuer_.Issue(current->user.id, current->session.persistent, client);
  if (auto r = users_.ReplacePassword(current->user.id, *hash, issued.record); !r) {
    return r.error();
  }
  audit_.Record(audit::EventType::kPasswordChanged, current->user.id, current->user.username,
                client);
  return LoginResult{current->user, std::move(issued.cookie_value), current->session.persistent};
}

}  // namespace latchkey::flows
