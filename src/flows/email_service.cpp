#include "flows/email_service.h"

#include "flows/recovery_service.h"
#include "identity/email.h"
#include "throttle/address_bucket.h"

namespace latchkey::flows {

using onetime::Purpose;

constexpr std::size_t kLoginMax = 320;  // as a recovery request's login

std::string CodeThrottleKey(Purpose purpose, identity::UserId user) {
  return "code:" + std::string(onetime::PurposeName(purpose)) + ":" + std::to_string(user.value());
}

std::string MailAddressKey(std::string_view email) {
  return "mail-address:" + identity::EmailKey(email);
}

std::string ClientKey(std::string_view prefix, const ClientInfo& client, int ipv6_prefix) {
  return std::string(prefix) + throttle::AddressBucket(client.ip, ipv6_prefix);
}

Error InvalidToken(const char* field) { return MakeError(Errc::kInvalidToken, {}, field); }

Result<void> EmailService::CountMail(identity::UserId user) {
  std::string key = "email-mail:" + std::to_string(user.value());
  if (auto r = guards_.throttle.Check({key}); !r) return r.error();
  return guards_.throttle.Fail(key, guards_.policies.email_mail);
}

Result<identity::User> EmailService::SetEmail(const session::Principal& caller,
                                              const std::string& email,
                                              const Secret& current_password,
                                              const ClientInfo& client) {
  if (email.empty() && require_verified_) {
    return MakeError(Errc::kInvalidInput, "Email address is required", "email");
  }
  if (!email.empty()) {
    if (auto r = identity::ValidateEmail(email); !r) return r.error();
  }
  // The address is where recovery goes: a stolen session alone must not move it.
  if (current_password.empty()) {
    return MakeError(Errc::kInvalidInput, "Current password is required", "current_password");
  }
  if (auto r = auth_.Reauthenticate(caller, current_password, "current_password"); !r) {
    return r.error();
  }
  auto record = users_.FindUserById(caller.user_id());
  if (!record) return record.error();
  if (!*record) return MakeError(Errc::kUnauthenticated);
  const identity::User& user = (*record)->user;
  if (user.email == email) return user;  // nothing changes; a new mail is /resend's
  // The same address spelt otherwise (the domain's case: identity/email.h): the new spelling,
  // still verified (or not), no mail, the pending links unchanged.
  if (!email.empty() && !user.email.empty() &&
      identity::EmailKey(email) == identity::EmailKey(user.email)) {
    return users_.RespellEmail(user.id, email);
  }
  if (auto r = CountMail(user.id); !r) return r.error();

  UnixTime now = clock_.Now();
  std::vector<onetime::TokenRecord> tokens;
  onetime::Mails mails;
  if (!email.empty()) {
    auto verify =
        minter_.Mint(user.id, Purpose::kVerifyEmail, true, identity::EmailKey(email), now);
    mails.push_back(mail_.VerifyEmail(user, email, verify));
    tokens.push_back(std::move(verify.record));
  }
  if (!user.email.empty() && user.email_verified) {
    auto undo = minter_.Mint(user.id, Purpose::kUndoEmailChange, false, user.email, now);
    mails.push_back(mail_.EmailChanged(user, user.email, email, undo));
    tokens.push_back(std::move(undo.record));
  }
  auto changed = tokens_.ChangeEmail(user.id, email, tokens, mails, now);
  if (!changed) return changed.error();
  guards_.audit.Record(audit::EventType::kEmailChanged, user.id, user.username, client);
  return changed;
}

Result<identity::User> EmailService::VerifyByToken(const std::string& token,
                                                   const ClientInfo& client) {
  if (!onetime::LooksLikeToken(token)) return InvalidToken("token");
  auto verified = tokens_.VerifyEmail(onetime::HashToken(token), clock_.Now());
  if (!verified) return verified.error();
  if (!*verified) return InvalidToken("token");
  guards_.audit.Record(audit::EventType::kEmailVerified, (*verified)->id, (*verified)->username,
                       client);
  return **verified;
}

Result<identity::User> EmailService::VerifyByCode(const session::Principal& caller,
                                                  const std::string& code,
                                                  const ClientInfo& client) {
  auto attempt = guards_.throttle.Acquire(CodeThrottleKey(Purpose::kVerifyEmail, caller.user_id()),
                                          guards_.policies.one_time_code);
  if (!attempt) return attempt.error();
  UnixTime now = clock_.Now();
  auto found = tokens_.FindUsableTokenOf(caller.user_id(), Purpose::kVerifyEmail, now);
  if (!found) return found.error();
  bool ok = *found && (*found)->code_attempts < onetime::kCodeAttempts &&
            minter_.CodeMatches(**found, code);
  if (!ok) {
    if (*found) {
      if (auto r = tokens_.CountCodeFailure((*found)->id); !r) return r.error();
    }
    attempt->Failed();
    guards_.audit.Record(audit::EventType::kOneTimeCodeFailed, caller.user_id(),
                         caller.user().username, client);
    return InvalidToken("code");
  }
  auto verified = tokens_.VerifyEmail((*found)->token_hash, now);
  if (!verified) return verified.error();
  if (!*verified) return InvalidToken("code");  // used or replaced meanwhile
  attempt->Succeeded();
  guards_.audit.Record(audit::EventType::kEmailVerified, caller.user_id(), caller.user().username,
                       client);
  return **verified;
}

Result<void> EmailService::Resend(const session::Principal& caller, const ClientInfo& client) {
  auto record = users_.FindUserById(caller.user_id());
  if (!record) return record.error();
  if (!*record) return MakeError(Errc::kUnauthenticated);
  const identity::User& user = (*record)->user;
  if (user.email.empty() || user.email_verified) {
    return MakeError(Errc::kInvalidInput, "There is no unverified email address to verify",
                     "email");
  }
  std::string address_key = MailAddressKey(user.email);
  if (auto r = guards_.throttle.Check({address_key}); !r) return r.error();
  if (auto r = CountMail(user.id); !r) return r.error();
  if (auto r = guards_.throttle.Fail(address_key, guards_.policies.mail_address); !r) {
    return r.error();
  }
  UnixTime now = clock_.Now();
  auto verify =
      minter_.Mint(user.id, Purpose::kVerifyEmail, true, identity::EmailKey(user.email), now);
  onetime::Mails mails{mail_.VerifyEmail(user, user.email, verify)};
  if (auto r = tokens_.IssueToken(verify.record, mails, now); !r) return r.error();
  (void)client;
  return {};
}

Result<void> EmailService::ResendFor(const std::string& login, const ClientInfo& client) {
  if (login.empty() || login.size() > kLoginMax) {
    return MakeError(Errc::kInvalidInput, "Enter your username", "login");
  }
  std::string ip_key = ClientKey("resend-ip:", client, guards_.policies.ipv6_prefix);
  std::string login_key = "resend-" + RecoveryLoginKey(login);
  if (auto r = guards_.throttle.Check({ip_key, login_key}); !r) return r.error();
  // Every request counts, whatever it names.
  if (auto r = guards_.throttle.Fail(ip_key, guards_.policies.recovery_ip); !r) return r.error();
  if (auto r = guards_.throttle.Fail(login_key, guards_.policies.recovery_login); !r) {
    return r.error();
  }
  Result<std::optional<identity::UserRecord>> found = std::optional<identity::UserRecord>();
  if (!identity::LooksLikeEmail(login)) found = users_.FindUserByUsername(login);
  if (!found) return found.error();
  bool eligible = *found && (*found)->disabled_at == UnixTime{} && !(*found)->user.email.empty() &&
                  !(*found)->user.email_verified;
  UnixTime now = clock_.Now();
  // Minted and sealed in every case: the same work whatever the login names.
  identity::User user = eligible ? (*found)->user : identity::User{};
  auto verify =
      minter_.Mint(user.id, Purpose::kVerifyEmail, true, identity::EmailKey(user.email), now);
  onetime::Mails mails{mail_.VerifyEmail(user, user.email, verify)};
  std::string account_key = "email-mail:" + (eligible ? std::to_string(user.id.value()) : "-");
  std::string address_key = MailAddressKey(eligible ? user.email : "-");
  bool within = static_cast<bool>(guards_.throttle.Check({account_key, address_key}));
  if (auto r = guards_.throttle.Fail(account_key, guards_.policies.email_mail); !r) {
    return r.error();
  }
  if (auto r = guards_.throttle.Fail(address_key, guards_.policies.mail_address); !r) {
    return r.error();
  }
  if (!eligible) {
    // The token write's stand-in (as RecoveryService::Request): a write that matches nothing.
    auto r = tokens_.ConsumeToken(verify.record.token_hash, Purpose::kVerifyEmail, now);
    if (!r) return r.error();
    return {};
  }
  if (!within) return {};  // silent: the 202 does not tell the account exists
  if (auto r = tokens_.IssueToken(verify.record, mails, now); !r) return r.error();
  (void)client;
  return {};
}

Result<identity::User> EmailService::Undo(const std::string& token, const ClientInfo& client) {
  if (!onetime::LooksLikeToken(token)) return InvalidToken("token");
  auto undone = tokens_.UndoEmailChange(onetime::HashToken(token), clock_.Now());
  if (!undone) return undone.error();
  if (!*undone) return InvalidToken("token");
  guards_.audit.Record(audit::EventType::kEmailChangeUndone, (*undone)->id, (*undone)->username,
                       client);
  return **undone;
}

}  // namespace latchkey::flows
