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
// - A login's session is inserted only while the user's stored hash is still the one the
//   login verified (SessionStore::InsertSessionIfPassword): a reset, an undo or a password
//   change that commits while the password is being verified leaves no session behind.
// - Callers are principals resolved once per request (session/session_resolver.h applies the
//   expiry rules); flows never see a cookie or a token.
// - Logout and account removal delete rows on the server, so a replayed cookie is refused
//   (ASVS 3.3.1). Account removal needs the password again (ASVS 3.7.1).
// Thread-safety: safe from many threads (state is immutable or in the store).
#pragma once

#include <optional>
#include <string>

#include "base/errc.h"
#include "base/secret.h"
#include "crypto/password_hasher.h"
#include "flows/session_issuer.h"
#include "identity/password_policy.h"
#include "identity/user_store.h"
#include "onetime/token_store.h"
#include "session/account_store.h"
#include "session/principal.h"
#include "session/session_store.h"
#include "throttle/throttle.h"

namespace latchkey::flows {

// Brute-force limits (throttle/throttle.h): per client IP first, then per account; signups
// per client IP.
struct ThrottlePolicies {
  // {free failures, base delay, max delay, decay, failures per hour}
  throttle::ThrottlePolicy login_ip{5, Seconds(1), std::chrono::minutes(15), std::chrono::hours(1),
                                    100};
  throttle::ThrottlePolicy login_account{5, Seconds(1), Seconds(60), std::chrono::hours(1), 100};
  // 20 per hour, no delays
  throttle::ThrottlePolicy signup_ip{1'000'000, Seconds(1), std::chrono::hours(1),
                                     std::chrono::hours(1), 20};
  // Recovery requests (flows/recovery_service.h): per client address and per login as typed,
  // answered 429 alike for known and unknown logins (also the limits of a resend without a
  // session, flows/email_service.h); per account and per address, silently
  // (the 202 does not change, no mail goes out), so a limit never tells that an account exists.
  throttle::ThrottlePolicy recovery_ip{1'000'000, Seconds(1), std::chrono::hours(1),
                                       std::chrono::hours(1), 30};
  throttle::ThrottlePolicy recovery_login{1'000'000, Seconds(1), std::chrono::hours(1),
                                          std::chrono::hours(1), 5};
  throttle::ThrottlePolicy recovery_account{1'000'000, Seconds(1), std::chrono::hours(1),
                                            std::chrono::hours(1), 5};
  // Recovery and verification mails per address (identity::EmailKey of where the mail goes:
  // one mailbox, whichever account, login or case of the domain led there): 10 per hour;
  // silent where a limit must not tell that an account exists.
  throttle::ThrottlePolicy mail_address{1'000'000, Seconds(1), std::chrono::hours(1),
                                        std::chrono::hours(1), 10};
  // Mails about an address (verification, resend, change) per account: 10 per hour.
  throttle::ThrottlePolicy email_mail{1'000'000, Seconds(1), std::chrono::hours(1),
                                      std::chrono::hours(1), 10};
  // Wrong one-time codes per account and purpose, across every token (a new request does not
  // reset it): 5 free, then delays, at most 20 per hour (8 digits: 20 guesses in 10^8).
  throttle::ThrottlePolicy one_time_code{5, Seconds(1), Seconds(60), std::chrono::hours(1), 20};
  // IPv6 clients are counted per network of this prefix (throttle/address_bucket.h).
  int ipv6_prefix = 64;
};

// What every flow needs besides its stores: the audit log and the throttle.
struct Guards {
  audit::AuditLog& audit;
  throttle::Throttle& throttle;
  ThrottlePolicies policies;
};

// A successful signup, login or password change: the principal and the cookie to set.
struct LoginResult {
  identity::User user;
  Secret cookie_value;     // "<token>.<mac>"; Set-Cookie only, never logged
  bool persistent = true;  // persistent cookie (Max-Age) or browser-session cookie
};

struct SignupInput {
  std::string username;
  Secret password;  // as typed; never logged, wiped when the input goes
  std::string name;
  bool remember = true;
  std::string email = {};  // optional (required with --require-verified-email); mailed to verify
};

class AccountMail;

// What signup and login need for email addresses (flows/email_service.h): the token store and
// minter, the mails, and --require-verified-email (signup needs an address; login to an
// account without a verified one answers kEmailUnverified after the password verified).
struct EmailSetup {
  onetime::TokenStore& tokens;
  const onetime::Minter& minter;
  const AccountMail& mail;
  bool require_verified = false;
};

struct LoginInput {
  std::string username;
  Secret password;  // as typed; never logged, wiped when the input goes
  bool remember = true;
};

class AuthService {
 public:
  // passwords: the rules for new passwords (common list, not the username), also used by
  // AccountService through password_policy().
  AuthService(identity::UserStore& users, session::AccountStore& accounts,
              session::SessionStore& sessions, const crypto::PasswordHasher& hasher,
              const SessionIssuer& issuer, Guards guards, const identity::PasswordPolicy& passwords,
              EmailSetup email);

  // Validates, hashes (slow), creates the user and its first session atomically (with an
  // address: its verify token and mail in the same transaction).
  // Errors: kRateLimited (signups per IP), kInvalidInput (field), kUsernameTaken,
  // kStorageUnavailable.
  Result<LoginResult> Signup(const SignupInput& in, const ClientInfo& client);

  // Verifies the password (slow) and rotates the session. previous: the live session this
  // browser presented (null: none), deleted on success. Throttled per IP, then per account:
  // a locked key answers kRateLimited before any password work.
  // Errors: kRateLimited, kInvalidCredentials, kAccountDisabled (the password was right but
  // an operator disabled the account), kEmailUnverified (the password was right, but
  // --require-verified-email and the address is not verified), kStorageUnavailable.
  Result<LoginResult> Login(const LoginInput& in, const session::Principal* previous,
                            const ClientInfo& client);

  // Deletes the caller's session (null: none, nothing to do). Idempotent.
  Result<void> Logout(const session::Principal* caller, const ClientInfo& client);

  // Re-authenticates with the password (slow), then deletes the user and every session of it.
  // Errors: kUnauthenticated (wrong or missing password, field "password"), kRateLimited,
  // kStorageUnavailable.
  Result<void> RemoveAccount(const session::Principal& caller, const Secret& password,
                             const ClientInfo& client);

  // Checks the caller's password again (slow; ASVS 3.7.1), throttled like a login per account
  // (guessing through a stolen session). Errors: kUnauthenticated with `field` set when the
  // password is wrong or empty, or without a field when the user is gone; kRateLimited;
  // kStorageUnavailable.
  Result<void> Reauthenticate(const session::Principal& caller, const Secret& password,
                              const std::string& field);

  // The rules for a new password (signup here; password change in AccountService).
  const identity::PasswordPolicy& password_policy() const { return passwords_; }

 private:
  identity::UserStore& users_;
  session::AccountStore& accounts_;
  session::SessionStore& sessions_;
  const crypto::PasswordHasher& hasher_;
  const SessionIssuer& issuer_;
  Guards guards_;
  const identity::PasswordPolicy& passwords_;
  EmailSetup email_;
};

// The throttle key of an account: the username folded to lower case (usernames are ASCII and
// unique without regard to case).
std::string AccountThrottleKey(std::string_view username);

}  // namespace latchkey::flows
