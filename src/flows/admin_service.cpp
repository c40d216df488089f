#include "flows/admin_service.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

#include "identity/email.h"
#include "identity/validation.h"

namespace latchkey::flows {
namespace {

Error NoSuchUser(std::string_view ref) {
  return MakeError(Errc::kNotFound, "no user '" + std::string(ref) + "'");
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

AdminService::AdminService(identity::UserStore& users, session::SessionStore& sessions,
                           const crypto::PasswordHasher& hasher,
                           const identity::PasswordPolicy& passwords, audit::AuditLog& audit,
                           const Clock& clock)
    : users_(users),
      sessions_(sessions),
      hasher_(hasher),
      passwords_(passwords),
      audit_(audit),
      clock_(clock) {}

void AdminService::Record(audit::EventType type, const identity::User& user) {
  audit_.Record(type, user.id, user.username, audit::Origin{"", "latchkey-cli", ""});
}

Result<identity::User> AdminService::AddUser(const std::string& username, const std::string& name,
                                             const Secret& password, const std::string& email) {
  if (auto r = identity::ValidateUsername(username); !r) return r.error();
  auto prepared = passwords_.PrepareNew(password.Reveal(), username);
  if (!prepared) return prepared.error();
  if (auto r = identity::ValidateName(name); !r) return r.error();
  if (!email.empty()) {
    if (auto r = identity::ValidateEmail(email); !r) return r.error();
  }
  auto hash = hasher_.Hash(prepared->Reveal());
  if (!hash) return hash.error();
  auto created = users_.CreateUser({username, name, std::move(*hash), clock_.Now(), email});
  if (!created) return created.error();
  Record(audit::EventType::kUserAdded, *created);
  return created;
}

Result<identity::UserRecord> AdminService::FindUser(std::string_view ref) {
  auto found = users_.FindUserByUsername(ref);
  if (!found) return found.error();
  if (*found) return std::move(**found);
  if (AllDigits(ref)) {
    std::int64_t id = 0;
    std::from_chars(ref.data(), ref.data() + ref.size(), id);
    auto by_id = users_.FindUserById(identity::UserId(id));
    if (!by_id) return by_id.error();
    if (*by_id) return std::move(**by_id);
  }
  return NoSuchUser(ref);
}

Result<identity::User> AdminService::SetPassword(std::string_view ref, const Secret& password) {
  auto user = FindUser(ref);
  if (!user) return user.error();
  auto prepared = passwords_.PrepareNew(password.Reveal(), user->user.username);
  if (!prepared) return prepared.error();
  auto hash = hasher_.Hash(prepared->Reveal());
  if (!hash) return hash.error();
  auto reset = users_.ResetPassword(user->user.id, *hash);
  if (!reset) return reset.error();
  if (!*reset) return NoSuchUser(ref);  // deleted meanwhile
  Record(audit::EventType::kPasswordReset, user->user);
  return user->user;
}

Result<bool> AdminService::Disable(std::string_view ref) {
  auto user = FindUser(ref);
  if (!user) return user.error();
  if (user->disabled_at != UnixTime{}) return false;
  auto done = users_.SetDisabled(user->user.id, clock_.Now());
  if (!done) return done.error();
  if (!*done) return NoSuchUser(ref);
  Record(audit::EventType::kUserDisabled, user->user);
  return true;
}

Result<bool> AdminService::Enable(std::string_view ref) {
  auto user = FindUser(ref);
  if (!user) return user.error();
  if (user->disabled_at == UnixTime{}) return false;
  auto done = users_.SetDisabled(user->user.id, UnixTime{});
  if (!done) return done.error();
  if (!*done) return NoSuchUser(ref);
  Record(audit::EventType::kUserEnabled, user->user);
  return true;
}

Result<identity::User> AdminService::DeleteUser(std::string_view ref) {
  auto user = FindUser(ref);
  if (!user) return user.error();
  auto deleted = users_.DeleteUser(user->user.id);
  if (!deleted) return deleted.error();
  if (!*deleted) return NoSuchUser(ref);
  Record(audit::EventType::kUserDeleted, user->user);
  return user->user;
}

Result<session::SessionRecord> AdminService::RevokeSession(const session::SessionId& id) {
  auto found = sessions_.FindSessionById(id);
  if (!found) return found.error();
  if (!*found) return MakeError(Errc::kNotFound, "no session '" + id.value() + "'");
  auto deleted = sessions_.DeleteUserSession((*found)->user_id, id);
  if (!deleted) return deleted.error();
  if (!*deleted) return MakeError(Errc::kNotFound, "no session '" + id.value() + "'");
  if (auto user = users_.FindUserById((*found)->user_id); user && *user) {
    Record(audit::EventType::kSessionsRevokedByOperator, (*user)->user);
  }
  return std::move(**found);
}

Result<long> AdminService::RevokeUserSessions(std::string_view ref) {
  auto user = FindUser(ref);
  if (!user) return user.error();
  // No token hash is empty: "every session except none".
  auto revoked = sessions_.DeleteOtherSessions(user->user.id, session::TokenHash(), clock_.Now());
  if (!revoked) return revoked.error();
  Record(audit::EventType::kSessionsRevokedByOperator, user->user);
  return revoked;
}

}  // namespace latchkey::flows
