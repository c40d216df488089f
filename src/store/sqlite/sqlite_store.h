// The SQLite implementation of every store contract (identity::UserStore,
// session::SessionStore). The default, embedded deployment: one file, WAL mode.
// Blocking: call only from a worker pool. Thread-safety: safe from many threads; each call
// leases one connection of the pool.
#pragma once

#include <memory>
#include <string>

#include "identity/user_store.h"
#include "session/session_store.h"
#include "store/sqlite/connection.h"

namespace latchkey::store::sqlite {

class SqliteStore final : public identity::UserStore, public session::SessionStore {
 public:
  // Opens the database (creating it), runs migrations. Throws std::runtime_error at startup.
  SqliteStore(const std::string& path, std::size_t pool_size);

  Result<identity::User> CreateUserWithSession(const identity::NewUser& user,
                                               const session::SessionRecord& first) override;
  Result<identity::User> CreateUser(const identity::NewUser& user) override;
  Result<std::optional<identity::UserRecord>> FindUserByUsername(
      std::string_view username) override;
  Result<std::optional<identity::UserRecord>> FindUserById(identity::UserId id) override;
  Result<bool> DeleteUser(identity::UserId id) override;
  Result<identity::User> UpdateName(identity::UserId id, std::string_view name) override;
  Result<void> ReplacePassword(identity::UserId id, std::string_view password_hash,
                               const session::SessionRecord& replacement) override;
  Result<bool> ResetPassword(identity::UserId id, std::string_view password_hash) override;
  Result<bool> SetDisabled(identity::UserId id, UnixSeconds at) override;

  Result<void> InsertSession(const session::SessionRecord& created,
                             std::optional<std::string_view> replaced_token_hash) override;
  Result<std::optional<session::ResolvedSession>> FindSessionByTokenHash(
      std::string_view token_hash) override;
  Result<std::optional<session::SessionRecord>> FindSessionById(std::string_view id) override;
  Result<bool> DeleteSessionByTokenHash(std::string_view token_hash) override;
  Result<long> DeleteExpiredSessions(UnixSeconds now) override;
  Result<void> TouchSession(std::string_view token_hash, UnixSeconds now) override;
  Result<void> TouchSessions(const std::vector<Touch>& touches) override;
  Result<std::vector<session::SessionRecord>> ListSessions(identity::UserId user_id,
                                                           UnixSeconds now) override;
  Result<bool> DeleteUserSession(identity::UserId user_id, std::string_view id) override;
  // The pool, for the other SQLite stores that share it.
  ConnectionPool& pool() { return pool_; }

  Result<long> DeleteOtherSessions(identity::UserId user_id, std::string_view keep_token_hash,
                                   UnixSeconds now) override;

 private:
  ConnectionPool pool_;
};

}  // namespace latchkey::store::sqlite
