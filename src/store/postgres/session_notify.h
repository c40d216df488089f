// The session change feed's wire format: NOTIFY on one channel, one change per payload.
//   "t:<token hash>"  the session with this token hash (SHA-256 hex) was deleted or replaced
//   "u:<user id>"     any session of this user, or the user's name or existence, changed
// Writers send the notification inside the transaction of the change: PostgreSQL delivers
// it at commit, and never for a rolled-back change.
// Thread-safety: pure functions; Notify* use the caller's connection.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/errc.h"
#include "identity/user.h"
#include "session/session.h"
#include "store/postgres/connection.h"

namespace latchkey::store::postgres {

inline constexpr const char* kListenSessions = "LISTEN latchkey_sessions";

// Queue the notification in the caller's transaction. Errors: kStorageUnavailable (logged as
// `what`).
Result<void> NotifyTokenChanged(Connection& conn, const session::TokenHash& token_hash,
                                const char* what);
Result<void> NotifyUserChanged(Connection& conn, identity::UserId user_id, const char* what);

// A parsed payload: either token_hash or user_id is set.
struct SessionChange {
  std::optional<session::TokenHash> token_hash;
  std::optional<identity::UserId> user_id;
};

// nullopt for a payload of unknown shape (a newer node's format: ignored).
std::optional<SessionChange> ParseSessionChange(std::string_view payload);

}  // namespace latchkey::store::postgres
