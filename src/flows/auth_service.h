// The authentication use cases behind /api/auth: signup, login, logout, "who am I" and
// account removal. Plain synchronous C++ (no HTTP, no Asio): handlers run it on a worker
// pool; unit tests call it directly with a fake clock.
//
// Rules it enforces:
// - Login answers kInvalidCredentials for an unknown username and for a wrong password alike,
//   after a dummy hash verification in the unknown case (OWASP Authentication Cheat Sheet,
//   "Authentication and Error Messages"; ASVS 2.2.x / 3.x).
// - A session token is issued fresh at signup and login; the session the browser presented
//   before login is deleted in the same transaction (no session fixation; ASVS 3.2.1).
// - Logout and account removal delete rows on the server, so a replayed cookie is refused
//   (ASVS 3.3.1).
// Thread-safety: safe from many threads (state is immutable or in the store).
#pragma once

#include <optional>
#include <string>

#include "base/clock.h"
#include "base/errc.h"
#include "crypto/password_hasher.h"
#include "identity/user_store.h"
#include "session/session_store.h"
#include "session/session_token.h"

namespace latchkey::flows {

// Who is asking: recorded on the session for the user's own information.
struct ClientInfo {
  std::string ip;
  std::string user_agent;
};

struct SessionPolicy {
  UnixSeconds lifetime_seconds = 30 * 24 * 3600;  // absolute lifetime = cookie Max-Age
};

// A successful signup or login: the principal and the cookie value to set.
struct LoginResult {
  identity::User user;
  std::string cookie_value;  // "<token>.<mac>"; Set-Cookie only, never logged
};

struct SignupInput {
  std::string username;
  std::string password;
  std::string name;
};

struct LoginInput {
  std::string username;
  std::string password;
};

class AuthService {
 public:
  AuthService(identity::UserStore& users, session::SessionStore& sessions,
              const crypto::PasswordHasher& hasher, const session::SessionTokenCodec& tokens,
              const Clock& clock, SessionPolicy policy);

  // Resolves a session token hash (from a verified cookie) to its live session.
  // Errors: kUnauthenticated (no such session, or expired: then it is deleted),
  // kStorageUnavailable.
  Result<session::ResolvedSession> Authenticate(const std::optional<std::string>& token_hash);

  // Validates, hashes (slow), creates the user and its first session atomically.
  // Errors: kInvalidInput (field), kUsernameTaken, kStorageUnavailable.
  Result<LoginResult> Signup(const SignupInput& in, const ClientInfo& client);

  // Verifies the password (slow) and rotates the session. previous_token_hash: the session
  // cookie this browser presented, deleted on success.
  // Errors: kInvalidCredentials, kStorageUnavailable.
  Result<LoginResult> Login(const LoginInput& in, const std::optional<std::string>& previous_token_hash,
                            const ClientInfo& client);

  // Deletes the presented session, if any. Idempotent.
  Result<void> Logout(const std::optional<std::string>& token_hash);

  // Deletes the authenticated user and every session of it.
  // Errors: kUnauthenticated, kStorageUnavailable.
  Result<void> RemoveAccount(const std::optional<std::string>& token_hash);

 private:
  session::SessionRecord NewSession(identity::UserId user_id, const std::string& token_hash,
                                    const ClientInfo& client) const;

  identity::UserStore& users_;
  session::SessionStore& sessions_;
  const crypto::PasswordHasher& hasher_;
  const session::SessionTokenCodec& tokens_;
  const Clock& clock_;
  SessionPolicy policy_;
};

}  // namespace latchkey::flows
