#include "flows/auth_service.h"

#include <cctype>

#include "flows/account_mail.h"
#include "flows/password_check.h"
#include "identity/email.h"
#include "identity/validation.h"
#include "throttle/address_bucket.h"

namespace latchkey::flows {
namespace {

Error Unauthenticated() { return MakeError(Errc::kUnauthenticated); }

Error InvalidCredentials() { return MakeError(Errc::kInvalidCredentials); }

// Per client address; IPv6 per network (throttle/address_bucket.h).
std::string IpThrottleKey(std::string_view prefix, const ClientInfo& client, int ipv6_prefix) {
  return std::string(prefix) + throttle::AddressBucket(client.ip, ipv6_prefix);
}

}  // namespace

std::string AccountThrottleKey(std::string_view username) {
  std::string key = "user:";
  for (char c : username) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

AuthService::AuthService(identity::UserStore& users, session::AccountStore& accounts,
                         session::SessionStore& sessions, const crypto::PasswordHasher& hasher,
                         const SessionIssuer& issuer, Guards guards,
                         const identity::PasswordPolicy& passwords, EmailSetup email)
    : users_(users),
      accounts_(accounts),
      sessions_(sessions),
      hasher_(hasher),
      issuer_(issuer),
      guards_(guards),
      passwords_(passwords),
      email_(email) {}

Result<LoginResult> AuthService::Signup(const SignupInput& in, const ClientInfo& client) {
  std::string ip_key = IpThrottleKey("signup-ip:", client, guards_.policies.ipv6_prefix);
  if (auto r = guards_.throttle.Check({ip_key}); !r) {
    if (r.error().code == Errc::kRateLimited) {
      guards_.audit.Record(audit::EventType::kSignupThrottled, std::nullopt, in.username, client);
    }
    return r.error();
  }
  if (auto r = identity::ValidateUsername(in.username); !r) return r.error();
  // Prepared (RFC 8265), then format, not common and not the username (NIST SP 800-63B 5.1.1.2).
  auto prepared = passwords_.PrepareNew(in.password.Reveal(), in.username);
  if (!prepared) return prepared.error();
  if (auto r = identity::ValidateName(in.name); !r) return r.error();
  if (in.email.empty() && email_.require_verified) {
    return MakeError(Errc::kInvalidInput, "Email address is required", "email");
  }
  if (!in.email.empty()) {
    if (auto r = identity::ValidateEmail(in.email); !r) return r.error();
  }
  // Every well-formed attempt counts (a taken username too): account creation is what a
  // bot wants to automate.
  if (auto r = guards_.throttle.Fail(ip_key, guards_.policies.signup_ip); !r) return r.error();

  auto hash = hasher_.Hash(prepared->Reveal());
  if (!hash) return hash.error();
  UnixTime now = issuer_.clock().Now();
  identity::NewUser user{in.username, in.name, std::move(*hash), now, in.email};

  IssuedSession issued = issuer_.Issue(identity::UserId(), in.remember, client);
  Result<identity::User> created = MakeError(Errc::kInternal);
  if (in.email.empty()) {
    created = accounts_.CreateUserWithSession(user, issued.record);
  } else {
    // The user's id is not known yet: the store sets it on the token and the mail.
    identity::User named{identity::UserId(), in.username, in.name, in.email, false};
    auto verify = email_.minter.Mint(identity::UserId(), onetime::Purpose::kVerifyEmail, true,
                                     identity::EmailKey(in.email), now);
    onetime::Mails mails{email_.mail.VerifyEmail(named, in.email, verify)};
    created = email_.tokens.CreateUserWithToken(user, &issued.record, std::move(verify.record),
                                                std::move(mails), now);
  }
  if (!created) return created.error();
  guards_.audit.Record(audit::EventType::kSignup, created->id, created->username, client);
  return LoginResult{std::move(*created), std::move(issued.cookie_value), in.remember};
}

Result<LoginResult> AuthService::Login(const LoginInput& in, const session::Principal* previous,
                                       const ClientInfo& client) {
  // No format checks on login beyond size: a rule change must not lock old users out, and
  // the answer must not say which part was wrong.
  if (in.username.size() > 256 || in.password.size() > 4 * identity::kPasswordMax) {
    hasher_.VerifyDummy(in.password.Reveal().substr(0, 64));
    return InvalidCredentials();
  }
  // Per-IP first: one address hammering many accounts is stopped there, before it can hold
  // any single account's counter high (OWASP Authentication Cheat Sheet, account lockout).
  std::string ip_key = IpThrottleKey("ip:", client, guards_.policies.ipv6_prefix);
  std::string account_key = AccountThrottleKey(in.username);
  // Each attempt is admitted before its password is verified (Throttle::Acquire: attempts in
  // flight on many threads and nodes are counted in the decision) and settled after it.
  auto throttled = [&](const Error& e) {
    if (e.code == Errc::kRateLimited) {
      guards_.audit.Record(audit::EventType::kLoginThrottled, std::nullopt, in.username, client);
    }
    return e;
  };
  auto ip_attempt = guards_.throttle.Acquire(ip_key, guards_.policies.login_ip);
  if (!ip_attempt) return throttled(ip_attempt.error());
  auto account_attempt = guards_.throttle.Acquire(account_key, guards_.policies.login_account);
  if (!account_attempt) {
    ip_attempt->Failed();  // hammering a locked account counts against the address
    return throttled(account_attempt.error());
  }
  auto found = users_.FindUserByUsername(in.username);
  if (!found) return found.error();
  std::string verified_hash;  // the session is inserted only while it is still the user's
  bool verified = *found ? CheckPassword(hasher_, users_, in.password, **found, &verified_hash)
                         : CheckPasswordDummy(hasher_, in.password);
  if (!verified) {
    ip_attempt->Failed();
    account_attempt->Failed();
    std::optional<identity::UserId> user_id;
    if (*found) user_id = (*found)->user.id;
    guards_.audit.Record(audit::EventType::kLoginFailed, user_id, in.username, client);
    return InvalidCredentials();
  }
  // Only after the password verified: without the password the answer (and its timing) is
  // that of any wrong password, so it tells nothing about the account. The attempt counts as
  // a failure: a disabled account is not a success.
  if ((*found)->disabled_at != UnixTime{}) {
    ip_attempt->Failed();
    account_attempt->Failed();
    guards_.audit.Record(audit::EventType::kLoginDisabled, (*found)->user.id,
                         (*found)->user.username, client);
    return MakeError(Errc::kAccountDisabled);
  }
  // Only after the password verified, as for a disabled account; not a failure either (the
  // password was right): the counters are settled as a success.
  if (email_.require_verified && !(*found)->user.email_verified) {
    return MakeError(Errc::kEmailUnverified);
  }

  IssuedSession issued = issuer_.Issue((*found)->user.id, in.remember, client);
  const session::TokenHash* replaced =
      previous != nullptr ? &previous->session().token_hash : nullptr;
  // A reset, an email change's undo, a password change or a disable that committed while the
  // password was being verified changed the hash (or the state): no session from the old
  // credential ("a reset ends every session"). The user deleted meanwhile, likewise: the
  // same answer as an unknown user.
  auto inserted = sessions_.InsertSessionIfPassword(issued.record, replaced, verified_hash);
  if (!inserted) {
    if (inserted.error().code == Errc::kUnauthenticated) return InvalidCredentials();
    return inserted.error();
  }
  if (!*inserted) return InvalidCredentials();
  // A success clears the account's counter (the real user is back); the IP's counter decays
  // on its own, so logging in to one's own account cannot reset guessing at others.
  account_attempt->Forget();
  ip_attempt->Succeeded();
  guards_.audit.Record(audit::EventType::kLogin, (*found)->user.id, (*found)->user.username,
                       client);
  return LoginResult{std::move((*found)->user), std::move(issued.cookie_value), in.remember};
}

Result<void> AuthService::Logout(const session::Principal* caller, const ClientInfo& client) {
  if (caller == nullptr) return {};
  auto r = sessions_.DeleteSessionByTokenHash(caller->session().token_hash);
  if (!r) return r.error();
  if (*r) {
    guards_.audit.Record(audit::EventType::kLogout, caller->user_id(), caller->user().username,
                         client);
  }
  return {};
}

Result<void> AuthService::Reauthenticate(const session::Principal& caller, const Secret& password,
                                         const std::string& field) {
  // Guessing the password through a stolen session is throttled like a login.
  std::string account_key = AccountThrottleKey(caller.user().username);
  auto attempt = guards_.throttle.Acquire(account_key, guards_.policies.login_account);
  if (!attempt) return attempt.error();
  auto record = users_.FindUserById(caller.user_id());
  if (!record) return record.error();
  if (!*record) return Unauthenticated();
  if (password.empty() || !CheckPassword(hasher_, users_, password, **record)) {
    attempt->Failed();
    return MakeError(Errc::kInvalidCredentials, "Password is incorrect", field);
  }
  attempt->Succeeded();
  return {};
}

Result<void> AuthService::RemoveAccount(const session::Principal& caller, const Secret& password,
                                        const ClientInfo& client) {
  if (auto r = Reauthenticate(caller, password, "password"); !r) return r.error();
  auto r = users_.DeleteUser(caller.user_id());
  if (!r) return r.error();
  guards_.audit.Record(audit::EventType::kAccountRemoved, caller.user_id(), caller.user().username,
                       client);
  return {};
}

}  // namespace latchkey::flows
