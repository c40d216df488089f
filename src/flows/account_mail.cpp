#include "flows/account_mail.h"

#include <chrono>
#include <map>

namespace latchkey::flows {
namespace {

using Variables = std::map<std::string, std::string>;

std::string Hours(onetime::Purpose purpose) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::hours>(onetime::LifetimeOf(purpose)).count());
}

}  // namespace

std::string AccountMail::Link(std::string_view path, const Secret& token) const {
  std::string link = public_url_;
  link += path;
  link += "#token=";
  link += token.Reveal();
  return link;
}

mail::OutgoingMail AccountMail::VerifyEmail(const identity::User& user, std::string_view address,
                                            const onetime::MintedToken& token) const {
  Variables v{{"username", user.username},
              {"email", std::string(address)},
              {"link", Link("/verify-email", token.token)},
              {"code", onetime::GroupCode(token.code.Reveal())},
              {"expires_hours", Hours(onetime::Purpose::kVerifyEmail)}};
  return {std::string(kMailVerifyEmail), std::string(address), user.id.value(),
          mail::SealMailVariables(sealer_, v)};
}

mail::OutgoingMail AccountMail::EmailChanged(const identity::User& user,
                                             std::string_view old_address,
                                             std::string_view new_address,
                                             const onetime::MintedToken& undo) const {
  Variables v{{"username", user.username},
              {"old_email", std::string(old_address)},
              {"new_email", std::string(new_address)},
              {"link", Link("/undo-email", undo.token)},
              {"expires_hours", Hours(onetime::Purpose::kUndoEmailChange)}};
  return {std::string(kMailEmailChanged), std::string(old_address), user.id.value(),
          mail::SealMailVariables(sealer_, v)};
}

mail::OutgoingMail AccountMail::Recovery(const identity::User& user, std::string_view address,
                                         const onetime::MintedToken& token) const {
  auto minutes = std::chrono::duration_cast<std::chrono::minutes>(
      onetime::LifetimeOf(onetime::Purpose::kRecovery));
  Variables v{{"username", user.username},
              {"link", Link("/recover", token.token)},
              {"code", onetime::GroupCode(token.code.Reveal())},
              {"expires_minutes", std::to_string(minutes.count())}};
  return {std::string(kMailRecovery), std::string(address), user.id.value(),
          mail::SealMailVariables(sealer_, v)};
}

mail::OutgoingMail AccountMail::PasswordResetNotice(const identity::User& user,
                                                    std::string_view address,
                                                    const ClientInfo& client) const {
  Variables v{{"username", user.username}, {"ip", client.ip}, {"user_agent", client.user_agent}};
  return {std::string(kMailPasswordResetNotice), std::string(address), user.id.value(),
          mail::SealMailVariables(sealer_, v)};
}

}  // namespace latchkey::flows
