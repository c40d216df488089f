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
  Result<std::optional<identity::UserRecord>> FindUserByVerifiedEmail(
      std::string_view email_key) override;
  Result<bool> DeleteUser(identity::UserId id) override;
  Result<identity::User> UpdateName(identity::UserId id, std::string_view name) override;
  Result<identity::User> RespellEmail(identity::UserId id, std::string_view email) override;
  Result<void> ReplacePassword(identity::UserId id, std::string_view password_hash,
                               const session::SessionRecord& replacement) override;
  Result<bool> ResetPassword(identity::UserId id, std::string_view password_hash) override;
  Result<bool> RehashPassword(identity::UserId id, std::string_view old_hash,
                              std::string_view new_hash) override;
  Result<bool> SetDisabled(identity::UserId id, UnixTime at) override;

 private:
  ConnectionPool& pool_;
};

// The columns of ReadUserRow, in its order.
#define LATCHKEY_SQLITE_USER_COLUMNS \
  "id, username, name, password_hash, created_at, disabled_at, email, email_verified_at"

// A user row of LATCHKEY_SQLITE_USER_COLUMNS (a NULL disabled_at or email_verified_at reads
// as 0, a NULL email as empty).
identity::UserRecord ReadUserRow(const Query& row);

// The users row of `user` (its address unverified), in the caller's transaction if any.
// Errors: kUsernameTaken from the unique index (case-insensitive), else storage errors.
Result<identity::User> InsertUser(Connection& conn, const identity::NewUser& user);

// The email and email_key columns of an address: NULL for none.
std::optional<std::string> EmailColumn(std::string_view email);
std::optional<std::string> EmailKeyColumn(std::string_view email);

}  // namespace latchkey::store::sqlite
