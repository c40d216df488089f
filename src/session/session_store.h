// Store contract for sessions. Implementations: store/sqlite (and later other dialects).
// Every method blocks on I/O: call from a worker pool, never an I/O thread.
// Errors: kStorageUnavailable when the database fails; "not found" is an empty optional.
// Thread-safety: implementations are safe to call from many threads at once.
#pragma once

#include <optional>
#include <string_view>

#include "base/errc.h"
#include "session/session.h"

namespace latchkey::session {

class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // Inserts `created` (its user_id must exist). When `replaced_token_hash` is given, deletes
  // that session in the same transaction: rotation without a window where both or neither
  // exist. Errors: kUnauthenticated when the user no longer exists.
  virtual Result<void> InsertSession(const SessionRecord& created,
                                     std::optional<std::string_view> replaced_token_hash) = 0;

  // The session with this token hash and its user, if any (expired ones included: the
  // caller decides).
  virtual Result<std::optional<ResolvedSession>> FindSessionByTokenHash(
      std::string_view token_hash) = 0;

  // Deletes the session with this token hash; true when a row was deleted.
  virtual Result<bool> DeleteSessionByTokenHash(std::string_view token_hash) = 0;

  // Deletes every session whose expires_at <= now; returns how many.
  virtual Result<long> DeleteExpiredSessions(UnixSeconds now) = 0;
};

}  // namespace latchkey::session
