// The PostgreSQL implementation of identity::UserStore, on PostgresDatabase's pool. Same
// statements and outcomes as store/sqlite: usernames unique without regard to ASCII case
// (unique index on lower(username); SQLSTATE 23505 -> kUsernameTaken), a session for a user
// that no longer exists is kUnauthenticated (23503). DeleteUser, UpdateName and
// ReplacePassword send "u:<user id>" (session_notify.h) in their transaction.
// Blocking: call from a worker pool. Thread-safety: safe from many threads.
#pragma once

#include "store/database.h"
#include "store/postgres/pool.h"

namespace latchkey::store::postgres {

class PostgresUserStore final : public UserStore {
 public:
  explicit PostgresUserStore(Pool& pool) : pool_(pool) {}

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
  Pool& pool_;
};

// A user row of LATCHKEY_PG_USER_COLUMNS (a NULL email reads as empty).
identity::UserRecord ReadUserRow(const QueryResult& result, int row);

// The columns of ReadUserRow, in its order.
#define LATCHKEY_PG_USER_COLUMNS \
  "id, username, name, password_hash, created_at, disabled_at, email, email_verified_at"

// The users row of `user` (its address unverified), in the caller's transaction if any.
// Errors: kUsernameTaken from the unique index on lower(username), else storage errors.
Result<identity::User> InsertUser(Connection& conn, const identity::NewUser& user);

// The email and email_key parameters of an address: NULL for none.
Param EmailParam(std::string_view email);
Param EmailKeyParam(std::string_view email);

}  // namespace latchkey::store::postgres
