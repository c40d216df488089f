// A user's email address: set or change it, verify it (the link's token, or the code while
// logged in), have the verification mailed again, and undo a change from the old address.
//
// Rules (docs/SECURITY.md, "Email and recovery"):
// - An address counts as verified only after a verify token or code for that very address
//   (the token's data is the address's key: a token mailed for an earlier address verifies
//   nothing). Setting or changing an address mails a link and a code to the new address, in
//   the same transaction as the change (onetime/token_store.h).
// - A change of a VERIFIED address also mails the old one, with a link that undoes the change
//   for 72 hours: the old address comes back verified, every session of the user ends
//   (whoever changed it may hold one) and the password stops working (whoever changed it may
//   know it: the owner sets a new one by recovery to the restored address). An unverified old
//   address is not mailed (nobody proved it is the owner's).
// - Addresses are unique among verified ones (identity/email.h); the clash shows at
//   verification, as kEmailTaken.
// - Adding, changing or removing an address needs the current password (a stolen session
//   alone cannot move the account's recovery to another address), checked and throttled as
//   for a password change (AuthService::Reauthenticate).
// - Mails about addresses are limited per account (ThrottlePolicies::email_mail); wrong codes
//   per code (onetime::kCodeAttempts) and per account (ThrottlePolicies::one_time_code).
// Thread-safety: safe from many threads (state is in the stores).
#pragma once

#include <string>

#include "flows/account_mail.h"
#include "flows/auth_service.h"
#include "onetime/token_store.h"

namespace latchkey::flows {

class EmailService {
 public:
  EmailService(AuthService& auth, identity::UserStore& users, onetime::TokenStore& tokens,
               const onetime::Minter& minter, const AccountMail& mail, Guards guards,
               const Clock& clock, bool require_verified)
      : auth_(auth),
        users_(users),
        tokens_(tokens),
        minter_(minter),
        mail_(mail),
        guards_(guards),
        clock_(clock),
        require_verified_(require_verified) {}

  // Sets, changes or (empty, unless --require-verified-email) removes the caller's address,
  // after checking `current_password` (slow: call from the hashing pool); the same address
  // again changes nothing, and the same address spelt otherwise (the same EmailKey: the
  // domain's case) is stored as spelt, its verification kept, no mail sent. Errors: kInvalidInput
  // field "email", or field "current_password" when it is empty; kInvalidCredentials field
  // "current_password" when it is wrong; kRateLimited; kUnauthenticated (the user is gone);
  // kStorageUnavailable.
  Result<identity::User> SetEmail(const session::Principal& caller, const std::string& email,
                                  const Secret& current_password, const ClientInfo& client);

  // The link's token (no session needed: the mail may be read on another device).
  // Errors: kInvalidToken field "token", kEmailTaken, kStorageUnavailable.
  Result<identity::User> VerifyByToken(const std::string& token, const ClientInfo& client);

  // The mail's code, typed by the logged-in caller. Errors: kInvalidToken field "code",
  // kRateLimited, kEmailTaken, kStorageUnavailable.
  Result<identity::User> VerifyByCode(const session::Principal& caller, const std::string& code,
                                      const ClientInfo& client);

  // A new verify token and mail for the caller's unverified address (the earlier link and
  // code stop working). Errors: kInvalidInput field "email" (no unverified address),
  // kRateLimited, kStorageUnavailable.
  Result<void> Resend(const session::Principal& caller, const ClientInfo& client);

  // A resend without a session (the signup mail was lost and --require-verified-email keeps
  // the user from logging in): `login` is a username. The same answer in about the same time
  // whether or not it names an account with an unverified address (OWASP Forgot Password
  // Cheat Sheet, as RecoveryService::Request: minted and sealed every time, a write that
  // matches nothing in place of the token's); a mail only when it does. An address names no
  // account here: unverified addresses are not unique, and anyone may set one. Limits per
  // client address and per login as typed answer 429 alike; per account and per address
  // (MailAddressKey) silently. Errors: kInvalidInput field "login", kRateLimited,
  // kStorageUnavailable. Success says nothing about the account.
  Result<void> ResendFor(const std::string& login, const ClientInfo& client);

  // The undo link's token: the old address back (verified), every session of the user ended
  // and the password made unusable (identity::kUnusablePasswordHash). Errors: kInvalidToken field
  // "token", kEmailTaken, kStorageUnavailable.
  Result<identity::User> Undo(const std::string& token, const ClientInfo& client);

 private:
  Result<void> CountMail(identity::UserId user);

  AuthService& auth_;
  identity::UserStore& users_;
  onetime::TokenStore& tokens_;
  const onetime::Minter& minter_;
  const AccountMail& mail_;
  Guards guards_;
  const Clock& clock_;
  bool require_verified_;
};

// The throttle key of an account's one-time codes of one purpose.
std::string CodeThrottleKey(onetime::Purpose purpose, identity::UserId user);

// The throttle key of the mails to one mailbox (identity::EmailKey: case variants of the
// domain, and every login that leads there, share it).
std::string MailAddressKey(std::string_view email);

// The client address's throttle key under `prefix` (IPv6 per network, throttle/address_bucket.h).
std::string ClientKey(std::string_view prefix, const ClientInfo& client, int ipv6_prefix);

// kInvalidToken with its field ("token" or "code").
Error InvalidToken(const char* field);

}  // namespace latchkey::flows
