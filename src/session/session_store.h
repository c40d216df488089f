// Store contract for sessions. Implementations: store/sqlite, store/postgres, and
// store/caching_store in front of either.
// Every method blocks on I/O: call from a worker pool, never an I/O thread.
// Errors: kStorageUnavailable when the database fails; "not found" is an empty optional.
// Thread-safety: implementations are safe to call from many threads at once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/errc.h"
#include "session/session.h"

namespace latchkey::session {

class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // Inserts `created` (its user_id must exist). When `replaced_token_hash` is not null, deletes
  // that session in the same transaction: rotation without a window where both or neither
  // exist. Errors: kUnauthenticated when the user no longer exists.
  virtual Result<void> InsertSession(const SessionRecord& created,
                                     const TokenHash* replaced_token_hash) = 0;

  // A login's InsertSession: only while the user's stored password hash is still
  // `password_hash` (the one the login verified) and the account is enabled, checked in the
  // transaction of the insert (PostgreSQL: the user's row locked FOR SHARE, so a reset, an
  // undo or a password change either commits before, and nothing is inserted, or waits and
  // then ends the new session with the others). False: nothing written, the replaced session
  // kept (the user is gone, its password changed, or it was disabled since).
  virtual Result<bool> InsertSessionIfPassword(const SessionRecord& created,
                                               const TokenHash* replaced_token_hash,
                                               std::string_view password_hash) = 0;

  // The session with this token hash and its user, if any (expired ones included: the
  // caller decides). Never a session of a disabled user (identity::UserStore::SetDisabled).
  virtual Result<std::optional<ResolvedSession>> FindSessionByTokenHash(
      const TokenHash& token_hash) = 0;

  // Deletes the session with this token hash; true when a row was deleted.
  virtual Result<bool> DeleteSessionByTokenHash(const TokenHash& token_hash) = 0;

  // Deletes every session whose absolute or idle expiry is <= now; returns how many.
  virtual Result<long> DeleteExpiredSessions(UnixTime now) = 0;

  // Records use of a session: last_seen_at = max(last_seen_at, now) (callers throttle this;
  // see AuthService). A session that no longer exists is not an error.
  virtual Result<void> TouchSession(const TokenHash& token_hash, UnixTime now) = 0;

  // One use of a session, for TouchSessions.
  struct Touch {
    TokenHash token_hash;
    UnixTime at{};
  };

  // TouchSession for many sessions at once; one transaction where the store has them (a
  // failure writes none). Default: TouchSession for each, stopping at the first error.
  virtual Result<void> TouchSessions(const std::vector<Touch>& touches) {
    for (const Touch& t : touches) {
      if (auto r = TouchSession(t.token_hash, t.at); !r) return r;
    }
    return {};
  }

  // The user's sessions still live at `now` (neither expiry passed), newest (created_at) first.
  virtual Result<std::vector<SessionRecord>> ListSessions(identity::UserId user_id,
                                                          UnixTime now) = 0;

  // The session with this public id, whoever's it is (operators: `latchkey session revoke`),
  // ended ones included.
  virtual Result<std::optional<SessionRecord>> FindSessionById(const SessionId& id) = 0;

  // Deletes the session with this public id if it belongs to user_id; false otherwise (an
  // unknown id and another user's id are the same outcome).
  virtual Result<bool> DeleteUserSession(identity::UserId user_id, const SessionId& id) = 0;

  // Deletes every session of user_id except the one with keep_token_hash; returns how many of
  // them were still live at `now` (ended ones are deleted too, but not counted).
  virtual Result<long> DeleteOtherSessions(identity::UserId user_id,
                                           const TokenHash& keep_token_hash, UnixTime now) = 0;
};

}  // namespace latchkey::session
