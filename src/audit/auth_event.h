// Audit events of authentication (OWASP ASVS 7.1.3-7.1.4, 7.2.1: log authentication
// decisions and session changes, never a credential or a token). Each event names who
// (user id when known, else the username attempted), what, when and from where.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "identity/user.h"

namespace latchkey::audit {

enum class EventType {
  kSignup,
  kSignupThrottled,
  kLogin,
  kLoginFailed,
  kLoginThrottled,
  kLogout,
  kSessionRevoked,
  kOtherSessionsRevoked,
  kPasswordChanged,
  kPasswordChangeFailed,
  kProfileUpdated,
  kAccountRemoved,
  kLoginDisabled,  // right password, account disabled: refused
  // An operator's action (`latchkey user ...`, `latchkey session ...`; ip empty, user agent
  // "latchkey-cli").
  kUserAdded,
  kUserDisabled,
  kUserEnabled,
  kPasswordReset,
  kUserDeleted,
  kSessionsRevokedByOperator,
  // Email and recovery (flows/email_service.h, flows/recovery_service.h).
  kEmailChanged,       // an address set or changed (unverified until verified)
  kEmailVerified,      // a verify token or code proved control of the address
  kEmailChangeUndone,  // the old address took the account back (every session ended)
  kRecoveryRequested,  // a recovery mail was queued (only for a real, verified account)
  kRecoveryThrottled,  // a recovery request refused by a per-address or per-login limit
  kPasswordRecovered,  // a recovery token or code set a new password
  kOneTimeCodeFailed,  // a wrong verification or recovery code
  // The courier gave up a message to the user (courier/outbox_sender.h; user agent
  // "latchkey-courier <kind>", ip empty).
  kMailGivenUp,
};

// Stable public names ("login_failed", ...): stored in the table and shown by the API.
std::string_view EventName(EventType type);

struct AuthEvent {
  std::int64_t id = 0;                      // assigned by the store
  UnixTime at{};                            // when
  std::string type;                         // EventName()
  std::optional<identity::UserId> user_id;  // the principal, when known
  std::string username;                     // the username attempted or acted on; may be empty
  std::string ip;                           // client address
  std::string user_agent;                   // truncated to 512 bytes
};

}  // namespace latchkey::audit
