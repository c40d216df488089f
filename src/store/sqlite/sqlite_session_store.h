// The SQLite implementation of session::SessionStore, on SqliteDatabase's connection pool.
// A rotation (InsertSession with a replaced session), a password change's session swap and
// DeleteOtherSessions each run in one BEGIN IMMEDIATE transaction; TouchSession never moves
// last_seen_at backwards (max). Every deleted session row is recorded in session_changes by
// trigger (migration 4) for other processes' caches (change_poller.h).
// Blocking: call from a worker pool. Thread-safety: safe from many threads; each call leases
// one pooled connection.
#pragma once

#include "session/session_store.h"
#include "store/sqlite/connection.h"

namespace latchkey::store::sqlite {

class SqliteSessionStore final : public session::SessionStore {
 public:
  explicit SqliteSessionStore(ConnectionPool& pool) : pool_(pool) {}

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
  ConnectionPool& pool_;
};

// Inserts `s` for `user_id` on `conn` (inside the caller's transaction, if any). Errors:
// kUnauthenticated when the user no longer exists (foreign key), kStorageUnavailable.
Result<void> InsertSessionRow(Connection& conn, const session::SessionRecord& s,
                              identity::UserId user_id);

}  // namespace latchkey::store::sqlite
