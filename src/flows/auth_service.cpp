#include "flows/auth_service.h"

#include "crypto/random.h"
#include "identity/validation.h"

namespace latchkey::flows {
namespace {

constexpr std::size_t kUserAgentMax = 512;

Error Unauthenticated() { return MakeError(Errc::kUnauthenticated, "Not logged in"); }

Error InvalidCredentials() {
  return MakeError(Errc::kInvalidCredentials, "Invalid username or password");
}

// Cuts at a UTF-8 boundary so the stored value stays valid text.
std::string Truncate(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

}  // namespace

AuthService::AuthService(identity::UserStore& users, session::SessionStore& sessions,
                         const crypto::PasswordHasher& hasher,
                         const session::SessionTokenCodec& tokens, const Clock& clock,
                         SessionPolicy policy)
    : users_(users),
      sessions_(sessions),
      hasher_(hasher),
      tokens_(tokens),
      clock_(clock),
      policy_(policy) {}

session::SessionRecord AuthService::NewSession(identity::UserId user_id,
                                               const std::string& token_hash,
                                               const ClientInfo& client) const {
  UnixSeconds now = clock_.Now();
  session::SessionRecord s;
  s.id = crypto::RandomToken(16);
  s.user_id = user_id;
  s.token_hash = token_hash;
  s.created_at = now;
  s.last_seen_at = now;
  s.expires_at = now + policy_.lifetime_seconds;
  s.user_agent = Truncate(client.user_agent, kUserAgentMax);
  s.ip = client.ip;
  return s;
}

Result<session::ResolvedSession> AuthService::Authenticate(
    const std::optional<std::string>& token_hash) {
  if (!token_hash) return Unauthenticated();
  auto found = sessions_.FindSessionByTokenHash(*token_hash);
  if (!found) return found.error();
  if (!*found) return Unauthenticated();
  if ((*found)->session.expires_at <= clock_.Now()) {
    (void)sessions_.DeleteSessionByTokenHash(*token_hash);  // best effort; the sweep retries
    return Unauthenticated();
  }
  return std::move(**found);
}

Result<LoginResult> AuthService::Signup(const SignupInput& in, const ClientInfo& client) {
  if (auto r = identity::ValidateUsername(in.username); !r) return r.error();
  if (auto r = identity::ValidatePassword(in.password); !r) return r.error();
  if (auto r = identity::ValidateName(in.name); !r) return r.error();

  auto hash = hasher_.Hash(in.password);
  if (!hash) return hash.error();
  identity::NewUser user{in.username, in.name, std::move(*hash), clock_.Now()};

  session::IssuedToken token = tokens_.Issue();
  auto created = users_.CreateUserWithSession(user, NewSession(0, token.token_hash, client));
  if (!created) return created.error();
  return LoginResult{std::move(*created), std::move(token.cookie_value)};
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

  session::IssuedToken token = tokens_.Issue();
  session::SessionRecord s = NewSession((*found)->user.id, token.token_hash, client);
  std::optional<std::string_view> replaced;
  if (previous_token_hash) replaced = *previous_token_hash;
  if (auto r = sessions_.InsertSession(s, replaced); !r) {
    // The user was deleted between the lookup and now: same answer as an unknown user.
    if (r.error().code == Errc::kUnauthenticated) return InvalidCredentials();
    return r.error();
  }
  return LoginResult{std::move((*found)->user), std::move(token.cookie_value)};
}

Result<void> AuthService::Logout(const std::optional<std::string>& token_hash) {
  if (!token_hash) return {};
  auto r = sessions_.DeleteSessionByTokenHash(*token_hash);
  if (!r) return r.error();
  return {};
}

Result<void> AuthService::RemoveAccount(const std::optional<std::string>& token_hash) {
  auto current = Authenticate(token_hash);
  if (!current) return current.error();
  auto r = users_.DeleteUser(current->user.id);
  if (!r) return r.error();
  return {};
}

}  // namespace latchkey::flows
