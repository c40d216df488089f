// Account recovery by email: ask for a link (and code), then set a new password with it.
//
// Rules (OWASP Forgot Password Cheat Sheet; NIST SP 800-63B 5.1.1.2, 5.2.2, 6.1.2.3;
// docs/SECURITY.md "Email and recovery"):
// - Request: the same answer (202, the same body) in the same time whether or not the login
//   names an account, the account is enabled, or it has a VERIFIED address. The answer comes
//   after the work that is the same for every login (input, the limits per client address and
//   per login as typed, which answer 429 alike); the account's lookup, its silent limits and
//   the token and mail are done after it, on a background queue (OWASP Forgot Password Cheat
//   Sheet: "consistent time ... asynchronous"), so no timing and no limit tells whether an
//   account exists. A full queue (a flood) runs the rest before answering.
// - Complete: the token (the link) or the code with the login. Codes have a budget per code
//   and per account (flows/email_service.h CodeThrottleKey) that new requests do not reset.
//   The usual password rules apply BEFORE the token is consumed (a refused password leaves the
//   link working). One transaction consumes the token, sets the hash, ends EVERY session of
//   the user and queues the notice; then the browser signs in through AfterFirstFactor
//   (flows/sign_in_step.h): a second factor (issue 20) is asked for, never skipped.
// Thread-safety: safe from many threads (state is in the stores).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "base/work_queue.h"

#include "flows/account_mail.h"
#include "flows/auth_service.h"
#include "flows/sign_in_step.h"
#include "onetime/token_store.h"

namespace latchkey::flows {

struct RecoveryInput {
  std::string token;  // from the link's fragment, or empty
  std::string code;   // from the mail, or empty (then `login` is needed)
  std::string login;  // username or email: needed with a code
  Secret new_password;
  bool remember = true;
};

// A completed recovery: the password is set and every old session has ended.
struct RecoveryResult {
  NextStep next = NextStep::kSessionNow;
  std::optional<LoginResult> login;  // kSessionNow: the fresh session to set
};

class RecoveryService {
 public:
  RecoveryService(identity::UserStore& users, onetime::TokenStore& tokens,
                  session::SessionStore& sessions, const crypto::PasswordHasher& hasher,
                  const SessionIssuer& issuer, Guards guards,
                  const identity::PasswordPolicy& passwords, const onetime::Minter& minter,
                  const AccountMail& mail, std::size_t background_capacity = 0)
      : users_(users),
        tokens_(tokens),
        sessions_(sessions),
        hasher_(hasher),
        issuer_(issuer),
        guards_(guards),
        passwords_(passwords),
        minter_(minter),
        mail_(mail),
        background_(background_capacity > 0 ? std::make_unique<WorkQueue>(background_capacity)
                                            : nullptr) {}

  // background_capacity > 0: the account's part of Request runs on a background queue of
  // that many waiting requests; 0: before Request returns (tests).
  // Errors: kInvalidInput field "login" (empty or over 320 bytes), kRateLimited (per client
  // address, per login), kStorageUnavailable. Success says nothing about the account.
  Result<void> Request(const std::string& login, const ClientInfo& client);

  // Returns once the account parts of earlier Requests have run (no-op without a queue).
  void Drain();

  // previous: the live session this browser presented (null: none), replaced by the new one.
  // Errors: kInvalidToken (field "token" or "code"), kInvalidInput (field "token", "login"
  // or "new_password"), kAccountDisabled, kRateLimited, kStorageUnavailable.
  Result<RecoveryResult> Complete(const RecoveryInput& in, const session::Principal* previous,
                                  const ClientInfo& client);

 private:
  // Request's part that depends on the account: lookup, silent limits, token and mail.
  Result<void> RequestForAccount(const std::string& login, const ClientInfo& client);
  // The account of a login (username, or verified address), or nullopt.
  Result<std::optional<identity::UserRecord>> FindAccount(const std::string& login);
  // The usable recovery token of the input (by token, or by login and code).
  Result<onetime::TokenRecord> ProvenToken(const RecoveryInput& in, const ClientInfo& client);

  identity::UserStore& users_;
  onetime::TokenStore& tokens_;
  session::SessionStore& sessions_;
  const crypto::PasswordHasher& hasher_;
  const SessionIssuer& issuer_;
  Guards guards_;
  const identity::PasswordPolicy& passwords_;
  const onetime::Minter& minter_;
  const AccountMail& mail_;
  std::unique_ptr<WorkQueue> background_;  // last: its jobs use every member above
};

// The throttle key of a login as typed: an address by its key, a username folded to lower
// case (both are how the account is looked up).
std::string RecoveryLoginKey(std::string_view login);

}  // namespace latchkey::flows
