#include "flows/auth_service.h"

#include "identity/validation.h"

namespace latchkey::flows {
namespace {

Error Unauthenticated() { return MakeError(Errc::kUnauthenticated, "Not logged in"); }

Error InvalidCredentials() {
  return MakeError(Errc::kInvalidCredentials, "Invalid username or password");
}

}  // namespace

AuthService::AuthService(identity::UserStore& users, session::SessionStore& sessions,
                         const crypto::PasswordHasher& hasher, const SessionIssuer& issuer)
    : users_(users), sessions_(sessions), hasher_(hasher), issuer_(issuer) {}

Result<session::ResolvedSession> AuthService::Authenticate(
    const std::optional<std::string>& token_hash) {
  if (!token_hash) return Unauthenticated();
  auto found = sessions_.FindSessionByTokenHash(*token_hash);
  if (!found) return found.error();
  if (!*found) return Unauthenticated();
  session::ResolvedSession& current = **found;
  UnixSeconds now = issuer_.clock().Now();
  if (session::EffectiveExpiry(current.session) <= now) {
    (void)sessions_.DeleteSessionByTokenHash(*token_hash);  // best effort; the sweep retries
    return Unauthenticated();
  }
  // A write per request would make every session check a database write; once a minute is
  // precise enough for an idle timeout counted in hours.
  if (now - current.session.last_seen_at >= issuer_.policy().touch_interval) {
    if (sessions_.TouchSession(*token_hash, now)) current.session.last_seen_at = now;
  }
  return std::move(current);
}

Result<LoginResult> AuthService::Signup(const SignupInput& in, const ClientInfo& client) {
  if (auto r = identity::ValidateUsername(in.username); !r) return r.error();
  if (auto r = identity::ValidatePassword(in.password); !r) return r.error();
  if (auto r = identity::ValidateName(in.name); !r) return r.error();

  auto hash = hasher_.Hash(in.password);
  if (!hash) return hash.error();
  identity::NewUser user{in.username, in.name, std::move(*hash), issuer_.clock().Now()};

  IssuedSession issued = issuer_.Issue(0, in.remember, client);
  auto created = users_.CreateUserWithSession(user, issued.record);
  if (!created) return created.error();
  return LoginResult{std::move(*created), std::move(issued.cookie_value), in.remember};
}

Result<LoginResult> AuthService::Login(const LoginInput& in,
                                       const std::optional<std::string>& previous_token_hash,
                                       const ClientInfo& client) {
  // No format checks on login beyond size: a rule change must not lock old users out, and
  // the answer must not say which part was wrong.
  if (in.username.size() > 256 || in.password.size() > 4 * identity::kPasswordMax) {
    hasher_.VerifyDummy(in.password.substr(0, 64));
    return InvalidCredentials();
  }
  auto found = users_.FindUserByUsername(in.username);
  if (!found) return found.error();
  if (!*found) {
    hasher_.VerifyDummy(in.password);
    return InvalidCredentials();
  }
  if (!hasher_.Verify(in.password, (*found)->password_hash)) return InvalidCredentials();

  IssuedSession issued = issuer_.Issue((*found)->user.id, in.remember, client);
  std::optional<std::string_view> replaced;
  if (previous_token_hash) replaced = *previous_token_hash;
  if (auto r = sessions_.InsertSession(issued.record, replaced); !r) {
    // The user was deleted between the lookup and now: same answer as an unknown user.
    if (r.error().code == Errc::kUnauthenticated) return InvalidCredentials();
    return r.error();
  }
  return LoginResult{std::move((*found)->user), std::move(issued.cookie_value), in.remember};
}

Result<void> AuthService::Logout(const std::optional<std::string>& token_hash) {
  if (!token_hash) return {};
  auto r = sessions_.DeleteSessionByTokenHash(*token_hash);
  if (!r) return r.error();
  return {};
}

Result<session::ResolvedSession> AuthService::Reauthenticate(
    const std::optional<std::string>& token_hash, const std::string& password,
    const std::string& field) {
  auto current = Authenticate(token_hash);
  if (!current) return current.error();
  auto record = users_.FindUserById(current->user.id);
  if (!record) return record.error();
  if (!*record) return Unauthenticated();
  if (password.empty() || !hasher_.Verify(password, (*record)->password_hash)) {
    return MakeError(Errc::kUnauthenticated, "Password is incorrect", field);
  }
  return current;
}

Result<void> AuthService::RemoveAccount(const std::optional<std::string>& token_hash,
                                        const std::string& password) {
  auto current = Reauthenticate(token_hash, password, "password");
  if (!current) return current.error();
  auto r = users_.DeleteUser(current->user.id);
  if (!r) return r.error();
  return {};
}

}  // namespace latchkey::flows
