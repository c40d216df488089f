// The SQLite implementation of identity::UserStore, on SqliteDatabase's connection pool.
// Usernames are unique without regard to ASCII case (the users table's NOCASE index; a clash
// is kUsernameTaken); a session for a user that no longer exists is kUnauthenticated (foreign
// key). Multi-row changes (signup, password change or reset, disabling) run in one
// BEGIN IMMEDIATE transaction; the session_changes triggers (migration 4) record them for
// other processes' caches (change_poller.h).
// Blocking: call from a worker pool. Thread-safety: safe from many threads; each call leases
// one pooled connection.
#pragma once

#include "store/database.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/query.h"

namespace latchkey::store::sqlite {

class SqliteUserStore final : public UserStore {
 public:
  explicit SqliteUserStore(ConnectionPool& pool) : pool_(pool) {}

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
  Result<bool> RehashPassword(identity::UserId id, std::string_view old_hash,
                              std::string_view new_hash) override;
  Result<bool> SetDisabled(identity::UserId id, UnixTime at) override;

 private:
  ConnectionPool& pool_;
};

// A user row of columns (id, username, name, password_hash, created_at, disabled_at), in
// that order (a NULL disabled_at reads as 0).
identity::UserRecord ReadUserRow(const Query& row);

}  // namespace latchkey::store::sqlite
