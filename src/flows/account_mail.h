// The mails of email verification, email change and recovery: their kinds (templates/mail/
// <kind>.*.mustache), their variables, and their links, built from --public-url ONLY (never
// from a request's Host: a forged Host would mail a link to the attacker's site; OWASP Forgot
// Password Cheat Sheet, "URL tokens"). Tokens travel in the fragment (`#token=`): a browser
// never sends it to a server, so it reaches no log and no Referer.
// The variables (tokens and codes among them) are sealed (mail/outgoing_mail.h) before the
// outbox row is written: the database never holds a usable token in plain text.
//
// Kinds and variables (all strings):
//   verify_email           username, email, link (<public-url>/verify-email#token=T), code
//                          ("1234 5678"), expires_hours
//   email_changed          username, old_email, new_email, link (<public-url>/undo-email#token=T),
//                          expires_hours                                  (to the OLD address)
//   recovery               username, link (<public-url>/recover#token=T), code, expires_minutes
//   password_reset_notice  username, ip, user_agent (of the browser that reset the password)
// Thread-safety: immutable; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "crypto/sealer.h"
#include "flows/session_issuer.h"
#include "identity/user.h"
#include "mail/outgoing_mail.h"
#include "onetime/one_time_token.h"

namespace latchkey::flows {

inline constexpr std::string_view kMailVerifyEmail = "verify_email";
inline constexpr std::string_view kMailEmailChanged = "email_changed";
inline constexpr std::string_view kMailRecovery = "recovery";
inline constexpr std::string_view kMailPasswordResetNotice = "password_reset_notice";

class AccountMail {
 public:
  // public_url: the normalised origin users reach (app/config.h Settings::public_url).
  AccountMail(const crypto::Sealer& sealer, std::string public_url)
      : sealer_(sealer), public_url_(std::move(public_url)) {}

  mail::OutgoingMail VerifyEmail(const identity::User& user, std::string_view address,
                                 const onetime::MintedToken& token) const;
  mail::OutgoingMail EmailChanged(const identity::User& user, std::string_view old_address,
                                  std::string_view new_address,
                                  const onetime::MintedToken& undo) const;
  mail::OutgoingMail Recovery(const identity::User& user, std::string_view address,
                              const onetime::MintedToken& token) const;
  mail::OutgoingMail PasswordResetNotice(const identity::User& user, std::string_view address,
                                         const ClientInfo& client) const;

  // <public-url><path>#token=<token>.
  std::string Link(std::string_view path, const Secret& token) const;

 private:
  const crypto::Sealer& sealer_;
  std::string public_url_;
};

}  // namespace latchkey::flows
