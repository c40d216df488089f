#include "flows/recovery_service.h"

#include "flows/email_service.h"
#include "identity/email.h"
#include "throttle/address_bucket.h"

#include <spdlog/spdlog.h>

namespace latchkey::flows {
namespace {

using onetime::Purpose;

constexpr std::size_t kLoginMax = 320;

}  // namespace

std::string RecoveryLoginKey(std::string_view login) {
  if (identity::LooksLikeEmail(login)) return "recovery-login:" + identity::EmailKey(login);
  return "recovery-login:" + AccountThrottleKey(login);
}

Result<std::optional<identity::UserRecord>> RecoveryService::FindAccount(const std::string& login) {
  if (identity::LooksLikeEmail(login)) {
    if (!identity::ValidateEmail(login)) return std::optional<identity::UserRecord>();
    return users_.FindUserByVerifiedEmail(identity::EmailKey(login));
  }
  return users_.FindUserByUsername(login);
}

Result<void> RecoveryService::Request(const std::string& login, const ClientInfo& client) {
  if (login.empty() || login.size() > kLoginMax) {
    return MakeError(Errc::kInvalidInput, "Enter your username or email address", "login");
  }
  std::string ip_key = ClientKey("recovery-ip:", client, guards_.policies.ipv6_prefix);
  std::string login_key = RecoveryLoginKey(login);
  if (auto r = guards_.throttle.Check({ip_key, login_key}); !r) {
    if (r.error().code == Errc::kRateLimited) {
      guards_.audit.Record(audit::EventType::kRecoveryThrottled, std::nullopt, login, client);
    }
    return r.error();
  }
  // Every request counts, whatever it names (as signups do).
  if (auto r = guards_.throttle.Fail(ip_key, guards_.policies.recovery_ip); !r) return r.error();
  if (auto r = guards_.throttle.Fail(login_key, guards_.policies.recovery_login); !r) {
    return r.error();
  }
  if (background_ && background_->Post([this, login, client] {
        if (auto r = RequestForAccount(login, client); !r) {
          spdlog::warn("recovery request not completed: {}", InfoOf(r.error().code).code);
        }
      })) {
    return {};
  }
  return RequestForAccount(login, client);
}

void RecoveryService::Drain() {
  if (background_) background_->Drain();
}

Result<void> RecoveryService::RequestForAccount(const std::string& login,
                                                const ClientInfo& client) {
  auto found = FindAccount(login);
  if (!found) return found.error();
  // Nothing more for a login without an eligible account: the answer has gone already.
  if (!*found || (*found)->disabled_at != UnixTime{} || !(*found)->user.email_verified) return {};
  const identity::User& user = (*found)->user;
  // Silent (the answer has gone): a flood of requests for one account sends at most its budget
  // of mails. Per address too (where the mail goes, by identity::EmailKey): a verified address
  // may have moved between accounts, and the budget is the mailbox's.
  std::string account_key = "recovery-account:" + std::to_string(user.id.value());
  std::string address_key = MailAddressKey(user.email);
  bool within = static_cast<bool>(guards_.throttle.Check({account_key, address_key}));
  if (auto r = guards_.throttle.Fail(account_key, guards_.policies.recovery_account); !r) {
    return r.error();
  }
  if (auto r = guards_.throttle.Fail(address_key, guards_.policies.mail_address); !r) {
    return r.error();
  }
  if (!within) {
    guards_.audit.Record(audit::EventType::kRecoveryThrottled, user.id, user.username, client);
    return {};
  }
  UnixTime now = issuer_.clock().Now();
  auto minted = minter_.Mint(user.id, Purpose::kRecovery, true, {}, now);
  onetime::Mails mails{mail_.Recovery(user, user.email, minted)};
  if (auto r = tokens_.IssueToken(minted.record, mails, now); !r) return r.error();
  guards_.audit.Record(audit::EventType::kRecoveryRequested, user.id, user.username, client);
  return {};
}

Result<onetime::TokenRecord> RecoveryService::ProvenToken(const RecoveryInput& in,
                                                          const ClientInfo& client) {
  UnixTime now = issuer_.clock().Now();
  if (!in.token.empty()) {
    if (!onetime::LooksLikeToken(in.token)) return InvalidToken("token");
    auto found = tokens_.FindUsableToken(onetime::HashToken(in.token), now);
    if (!found) return found.error();
    if (!*found || (*found)->purpose != Purpose::kRecovery) return InvalidToken("token");
    return **found;
  }
  if (in.code.empty()) {
    return MakeError(Errc::kInvalidInput, "Give the link's token or the mail's code", "token");
  }
  if (in.login.empty() || in.login.size() > kLoginMax) {
    return MakeError(Errc::kInvalidInput, "Enter your username or email address", "login");
  }
  // Per login as typed (429 alike for every login), then per account (silent: a locked
  // account answers as a wrong code would, so the limit does not tell that it exists).
  auto login_attempt = guards_.throttle.Acquire("code:" + RecoveryLoginKey(in.login),
                                                guards_.policies.one_time_code);
  if (!login_attempt) return login_attempt.error();
  auto account = FindAccount(in.login);
  if (!account) return account.error();
  // The same statements for every login, so the time of a wrong code does not tell whether
  // the login names an account: an unknown one is budgeted under its login as typed, and
  // its token lookup and failure count match no row.
  identity::UserId subject = *account ? (*account)->user.id : identity::UserId();
  std::string account_key = *account ? CodeThrottleKey(Purpose::kRecovery, subject)
                                     : "code-unknown:" + RecoveryLoginKey(in.login);
  std::optional<onetime::TokenRecord> token;
  std::optional<throttle::AdmittedAttempt> account_attempt;
  auto a = guards_.throttle.Acquire(account_key, guards_.policies.one_time_code);
  if (a) {
    account_attempt.emplace(std::move(*a));
    auto found = tokens_.FindUsableTokenOf(subject, Purpose::kRecovery, now);
    if (!found) return found.error();
    if (*account) token = std::move(*found);
  } else if (a.error().code != Errc::kRateLimited) {
    return a.error();
  }
  onetime::TokenRecord checked = token.value_or(onetime::TokenRecord{});
  bool ok = minter_.CodeMatches(checked, in.code) && token &&
            token->code_attempts < onetime::kCodeAttempts;
  if (!ok) {
    if (auto r = tokens_.CountCodeFailure(token ? token->id : 0); !r) return r.error();
    login_attempt->Failed();
    if (account_attempt) account_attempt->Failed();
    std::optional<identity::UserId> id;
    if (*account) id = (*account)->user.id;
    guards_.audit.Record(audit::EventType::kOneTimeCodeFailed, id, in.login, client);
    return InvalidToken("code");
  }
  return *token;
}

Result<RecoveryResult> RecoveryService::Complete(const RecoveryInput& in,
                                                 const session::Principal* previous,
                                                 const ClientInfo& client) {
  auto ip_attempt = guards_.throttle.Acquire(
      ClientKey("recovery-complete-ip:", client, guards_.policies.ipv6_prefix),
      guards_.policies.login_ip);
  if (!ip_attempt) return ip_attempt.error();
  auto token = ProvenToken(in, client);
  if (!token) {
    if (token.error().code == Errc::kInvalidToken) ip_attempt->Failed();
    return token.error();
  }
  auto record = users_.FindUserById(token->user_id);
  if (!record) return record.error();
  if (!*record) return InvalidToken(in.token.empty() ? "code" : "token");
  const identity::UserRecord& account = **record;
  if (account.disabled_at != UnixTime{}) return MakeError(Errc::kAccountDisabled);

  auto prepared =
      passwords_.PrepareNew(in.new_password.Reveal(), account.user.username, "new_password");
  if (!prepared) return prepared.error();
  auto hash = hasher_.Hash(prepared->Reveal());
  if (!hash) return hash.error();
  onetime::Mails notice;
  if (!account.user.email.empty() && account.user.email_verified) {
    notice.push_back(mail_.PasswordResetNotice(account.user, account.user.email, client));
  }
  UnixTime now = issuer_.clock().Now();
  if (auto r =
          tokens_.ResetPasswordWithToken(token->token_hash, account.user.id, *hash, notice, now);
      !r) {
    if (r.error().code == Errc::kInvalidToken) {
      return InvalidToken(in.token.empty() ? "code" : "token");
    }
    return r.error();
  }
  ip_attempt->Succeeded();
  guards_.audit.Record(audit::EventType::kPasswordRecovered, account.user.id, account.user.username,
                       client);

  RecoveryResult result;
  result.next = AfterFirstFactor(account);
  if (result.next != NextStep::kSessionNow) return result;  // issue 20: the second step
  IssuedSession issued = issuer_.Issue(account.user.id, in.remember, client);
  const session::TokenHash* replaced =
      previous != nullptr ? &previous->session().token_hash : nullptr;
  if (auto r = sessions_.InsertSession(issued.record, replaced); !r) return r.error();
  guards_.audit.Record(audit::EventType::kLogin, account.user.id, account.user.username, client);
  result.login = LoginResult{account.user, std::move(issued.cookie_value), in.remember};
  return result;
}

}  // namespace latchkey::flows
