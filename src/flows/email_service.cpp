#include "flows/email_service.h"

#include "identity/email.h"

namespace latchkey::flows {

using onetime::Purpose;

std::string CodeThrottleKey(Purpose purpose, identity::UserId user) {
  return "code:" + std::string(onetime::PurposeName(purpose)) + ":" + std::to_string(user.value());
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
  if (auto r = CountMail(user.id); !r) return r.error();
  UnixTime now = clock_.Now();
  auto verify =
      minter_.Mint(user.id, Purpose::kVerifyEmail, true, identity::EmailKey(user.email), now);
  onetime::Mails mails{mail_.VerifyEmail(user, user.email, verify)};
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
