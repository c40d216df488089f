#include "audit/auth_event.h"

namespace latchkey::audit {

std::string_view EventName(EventType type) {
  switch (type) {
    case EventType::kSignup:
      return "signup";
    case EventType::kSignupThrottled:
      return "signup_throttled";
    case EventType::kLogin:
      return "login";
    case EventType::kLoginFailed:
      return "login_failed";
    case EventType::kLoginThrottled:
      return "login_throttled";
    case EventType::kLogout:
      return "logout";
    case EventType::kSessionRevoked:
      return "session_revoked";
    case EventType::kOtherSessionsRevoked:
      return "other_sessions_revoked";
    case EventType::kPasswordChanged:
      return "password_changed";
    case EventType::kPasswordChangeFailed:
      return "password_change_failed";
    case EventType::kProfileUpdated:
      return "profile_updated";
    case EventType::kAccountRemoved:
      return "account_removed";
    case EventType::kLoginDisabled:
      return "login_disabled";
    case EventType::kUserAdded:
      return "user_added";
    case EventType::kUserDisabled:
      return "user_disabled";
    case EventType::kUserEnabled:
      return "user_enabled";
    case EventType::kPasswordReset:
      return "password_reset";
    case EventType::kUserDeleted:
      return "user_deleted";
    case EventType::kSessionsRevokedByOperator:
      return "sessions_revoked_by_operator";
    case EventType::kEmailChanged:
      return "email_changed";
    case EventType::kEmailVerified:
      return "email_verified";
    case EventType::kEmailChangeUndone:
      return "email_change_undone";
    case EventType::kRecoveryRequested:
      return "recovery_requested";
    case EventType::kRecoveryThrottled:
      return "recovery_throttled";
    case EventType::kPasswordRecovered:
      return "password_recovered";
    case EventType::kOneTimeCodeFailed:
      return "one_time_code_failed";
    case EventType::kMailGivenUp:
      return "mail_given_up";
  }
  return "unknown";
}

}  // namespace latchkey::audit
