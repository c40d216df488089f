#include "flows/account_service.h"

#include "identity/validation.h"

namespace latchkey::flows {

Result<identity::User> AccountService::UpdateProfile(const std::optional<std::string>& token_hash,
                                                     const std::string& name) {
  auto current = auth_.Authenticate(token_hash);
  if (!current) return current.error();
  if (auto r = identity::ValidateName(name); !r) return r.error();
  return users_.UpdateName(current->user.id, name);
}

Result<LoginResult> AccountService::ChangePassword(const std::optional<std::string>& token_hash,
                                                   const std::string& current_password,
                                                   const std::string& new_password,
                                                   const ClientInfo& client) {
  // Rules first: a malformed new password costs no hash.
  if (auto rule = identity::ValidatePassword(new_password, "new_password"); !rule) {
    auto current = auth_.Authenticate(token_hash);  // no session: 401 before any rule talk
    if (!current) return current.error();
    return rule.error();
  }
  auto current = auth_.Reauthenticate(token_hash, current_password, "current_password");
  if (!current) return current.error();
  auto hash = hasher_.Hash(new_password);
  if (!hash) return hash.error();
  IssuedSession issued = issuer_.Issue(current->user.id, current->session.persistent, client);
  if (auto r = users_.ReplacePassword(current->user.id, *hash, issued.record); !r) {
    return r.error();
  }
  return LoginResult{current->user, std::move(issued.cookie_value), current->session.persistent};
}

}  // namespace latchkey::flows
