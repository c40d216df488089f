// The PostgreSQL implementation of session::SessionStore, on PostgresDatabase's pool. Same
// statements and outcomes as store/sqlite, plus change notifications (session_notify.h) in
// the transaction of each deletion: DeleteSessionByTokenHash and the session replaced by
// InsertSession send "t:<hash>", DeleteUserSession and DeleteOtherSessions "u:<user id>".
// DeleteExpiredSessions and TouchSession send none: caches re-check expiry themselves.
// Blocking: call from a worker pool. Thread-safety: safe from many threads.
#pragma once

#include "session/session_store.h"
#include "store/postgres/pool.h"

namespace latchkey::store::postgres {

class PostgresSessionStore final : public session::SessionStore {
 public:
  explicit PostgresSessionStore(Pool& pool) : pool_(pool) {}

  Result<void> InsertSession(const session::SessionRecord& created,
                             const session::TokenHash* replaced_token_hash) override;
  Result<bool> InsertSessionIfPassword(const session::SessionRecord& created,
                                       const session::TokenHash* replaced_token_hash,
                                       std::string_view password_hash) override;
  Result<std::optional<session::ResolvedSession>> FindSessionByTokenHash(
      const session::TokenHash& token_hash) override;
  Result<std::optional<session::SessionRecord>> FindSessionById(
      const session::SessionId& id) override;
  Result<bool> DeleteSessionByTokenHash(const session::TokenHash& token_hash) override;
  Result<long> DeleteExpiredSessions(UnixTime now) override;
  Result<void> TouchSession(const session::TokenHash& token_hash, UnixTime now) override;
  Result<void> TouchSessions(const std::vector<Touch>& touches) override;
  Result<std::vector<session::SessionRecord>> ListSessions(identity::UserId user_id,
                                                           UnixTime now) override;
  Result<bool> DeleteUserSession(identity::UserId user_id, const session::SessionId& id) override;
  Result<long> DeleteOtherSessions(identity::UserId user_id,
                                   const session::TokenHash& keep_token_hash,
                                   UnixTime now) override;

 private:
  Pool& pool_;
};

// Inserts `s` for `user_id` on `conn` (inside the caller's transaction). Errors:
// kUnauthenticated when the user no longer exists (foreign key), kStorageUnavailable.
Result<void> InsertSessionRow(Connection& conn, const session::SessionRecord& s,
                              identity::UserId user_id);

}  // namespace latchkey::store::postgres
