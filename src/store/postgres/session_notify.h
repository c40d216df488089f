// The session change feed's wire format: NOTIFY on one channel, one change per payload.
//   "t:<token hash>"  the session with this token hash (SHA-256 hex) was deleted or replaced
//   "u:<user id>"     any session of this user, or the user's name or existence, changed
//   "m:<seq>"         a mark (store/feed_nodes.h): a listener that has read it has read every
//                     notification of every transaction committed before the mark's
// Writers send the notification inside the transaction of the change: PostgreSQL delivers
// it at commit, and never for a rolled-back change; notifications of different transactions
// arrive in commit order (PostgreSQL's NOTIFY documentation), which is what makes a mark mean
// "everything before me".
// Thread-safety: pure functions; Notify* use the caller's connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/errc.h"
#include "identity/user.h"
#include "session/session.h"
#include "store/postgres/connection.h"

namespace latchkey::store::postgres {

inline constexpr const char* kListenSessions = "LISTEN latchkey_sessions";

// Takes the next mark number and announces it, in one statement (its own transaction): the
// UPDATE locks feed_marks' one row until commit, so marks commit in the order of their
// numbers. One row: the mark's number.
inline constexpr const char* kMarkFeed =
    "WITH m AS (UPDATE feed_marks SET seq = seq + 1 WHERE id = 1 RETURNING seq)"
    " SELECT seq, pg_notify('latchkey_sessions', 'm:' || seq) FROM m";

// Queue the notification in the caller's transaction. Errors: kStorageUnavailable (logged as
// `what`).
Result<void> NotifyTokenChanged(Connection& conn, const session::TokenHash& token_hash,
                                const char* what);
Result<void> NotifyUserChanged(Connection& conn, identity::UserId user_id, const char* what);

// A parsed payload: one of token_hash, user_id and mark is set.
struct SessionChange {
  std::optional<session::TokenHash> token_hash;
  std::optional<identity::UserId> user_id;
  std::optional<std::int64_t> mark;
};

// nullopt for a payload of unknown shape (a newer node's format: ignored).
std::optional<SessionChange> ParseSessionChange(std::string_view payload);

}  // namespace latchkey::store::postgres
