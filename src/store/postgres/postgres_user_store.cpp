#include "store/postgres/postgres_user_store.h"

#include "identity/email.h"
#include "store/postgres/postgres_session_store.h"
#include "store/postgres/query.h"
#include "store/postgres/session_notify.h"

namespace latchkey::store::postgres {
namespace {

constexpr const char* kInsertUser =
    "INSERT INTO users (username, name, password_hash, created_at, email, email_key)"
    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
constexpr const char* kSelectUserByUsername =
    "SELECT " LATCHKEY_PG_USER_COLUMNS " FROM users WHERE lower(username) = lower($1)";
constexpr const char* kSelectUserById =
    "SELECT " LATCHKEY_PG_USER_COLUMNS " FROM users WHERE id = $1";
constexpr const char* kSelectUserByVerifiedEmail =
    "SELECT " LATCHKEY_PG_USER_COLUMNS
    " FROM users WHERE email_key = $1 AND email_verified_at IS NOT NULL";
constexpr const char* kSetDisabled = "UPDATE users SET disabled_at = $2 WHERE id = $1";
constexpr const char* kDeleteUser = "DELETE FROM users WHERE id = $1";
constexpr const char* kUpdateName =
    "UPDATE users SET name = $2 WHERE id = $1 RETURNING " LATCHKEY_PG_USER_COLUMNS;
constexpr const char* kRespellEmail =
    "UPDATE users SET email = $2 WHERE id = $1 AND email_key = $3";
constexpr const char* kUpdatePassword = "UPDATE users SET password_hash = $2 WHERE id = $1";
constexpr const char* kRehashPassword =
    "UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2";
constexpr const char* kDeleteUserSessions = "DELETE FROM sessions WHERE user_id = $1";
// A recovery token is a second way to set the password: a changed password, or a disabled
// account, ends the ones pending (they may have been asked for by whoever held the account).
constexpr const char* kDeleteRecoveryTokens =
    "DELETE FROM one_time_tokens WHERE user_id = $1 AND purpose = 'recovery'";

Error NotLoggedIn() { return MakeError(Errc::kUnauthenticated); }

}  // namespace

Param EmailParam(std::string_view email) { return email.empty() ? Param::Null() : Param(email); }

Param EmailKeyParam(std::string_view email) {
  return email.empty() ? Param::Null() : Param(identity::EmailKey(email));
}

Result<identity::User> InsertUser(Connection& conn, const identity::NewUser& user) {
  QueryResult inserted =
      conn.Exec(kInsertUser, {user.username, user.name, user.password_hash, user.created_at,
                              EmailParam(user.email), EmailKeyParam(user.email)});
  if (inserted.sqlstate() == kUniqueViolation) {
    return MakeError(Errc::kUsernameTaken, {}, "username");
  }
  if (!inserted.ok() || inserted.rows() != 1) return StorageError(inserted, "insert user");
  return identity::User{identity::UserId(inserted.Int(0, 0)), user.username, user.name, user.email,
                        false};
}

namespace {

// Sets the password hash of user `id` and deletes every session and recovery token of the
// user, in the caller's transaction, announcing the user. False (nothing written) when there is no
// such user.
Result<bool> SetPasswordEndingSessions(Connection& conn, identity::UserId id,
                                       std::string_view password_hash, const char* what) {
  auto updated = Run(conn, kUpdatePassword, "update password", {id, password_hash});
  if (!updated) return updated.error();
  if (*updated == 0) return false;
  if (auto deleted = Run(conn, kDeleteUserSessions, "delete sessions", {id}); !deleted) {
    return deleted.error();
  }
  if (auto deleted = Run(conn, kDeleteRecoveryTokens, "delete recovery tokens", {id}); !deleted) {
    return deleted.error();
  }
  if (auto n = NotifyUserChanged(conn, id, what); !n) return n.error();
  return true;
}

}  // namespace

identity::UserRecord ReadUserRow(const QueryResult& r, int row) {
  identity::UserRecord rec;
  rec.user = {identity::UserId(r.Int(row, 0)), r.Text(row, 1), r.Text(row, 2),
              r.IsNull(row, 6) ? std::string() : r.Text(row, 6), !r.IsNull(row, 7)};
  rec.password_hash = r.Text(row, 3);
  rec.created_at = FromUnixSeconds(r.Int(row, 4));
  rec.disabled_at = r.IsNull(row, 5) ? UnixTime{} : FromUnixSeconds(r.Int(row, 5));
  rec.email_verified_at = r.IsNull(row, 7) ? UnixTime{} : FromUnixSeconds(r.Int(row, 7));
  return rec;
}

Result<std::optional<identity::UserRecord>> PostgresUserStore::FindUserByVerifiedEmail(
    std::string_view email_key) {
  return WithConnection(pool_, [&](Connection& conn) {
    return ReadOne(conn, kSelectUserByVerifiedEmail, "user lookup by email", ReadUserRow,
                   {email_key});
  });
}

Result<identity::User> PostgresUserStore::CreateUserWithSession(
    const identity::NewUser& user, const session::SessionRecord& first) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "signup", [&]() -> Result<identity::User> {
      auto created = InsertUser(conn, user);
      if (!created) return created;
      if (auto r = InsertSessionRow(conn, first, created->id); !r) return r.error();
      return created;
    });
  });
}

Result<identity::User> PostgresUserStore::CreateUser(const identity::NewUser& user) {
  return WithConnection(pool_, [&](Connection& conn) { return InsertUser(conn, user); });
}

Result<std::optional<identity::UserRecord>> PostgresUserStore::FindUserByUsername(
    std::string_view username) {
  return WithConnection(pool_, [&](Connection& conn) {
    return ReadOne(conn, kSelectUserByUsername, "user lookup", ReadUserRow, {username});
  });
}

Result<std::optional<identity::UserRecord>> PostgresUserStore::FindUserById(identity::UserId id) {
  return WithConnection(pool_, [&](Connection& conn) {
    return ReadOne(conn, kSelectUserById, "user lookup", ReadUserRow, {id});
  });
}

Result<bool> PostgresUserStore::DeleteUser(identity::UserId id) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "user delete", [&]() -> Result<bool> {
      auto deleted = Run(conn, kDeleteUser, "delete user", {id});
      if (!deleted) return deleted.error();
      if (*deleted == 0) return false;
      if (auto n = NotifyUserChanged(conn, id, "notify user delete"); !n) return n.error();
      return true;
    });
  });
}

Result<identity::User> PostgresUserStore::UpdateName(identity::UserId id, std::string_view name) {
  auto read = [](const QueryResult& r, int row) { return ReadUserRow(r, row).user; };
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "name update", [&]() -> Result<identity::User> {
      auto updated = ReadOne(conn, kUpdateName, "update name", read, {id, name});
      if (!updated) return updated.error();
      if (!*updated) return NotLoggedIn();
      if (auto n = NotifyUserChanged(conn, id, "notify name update"); !n) return n.error();
      return **updated;
    });
  });
}

Result<identity::User> PostgresUserStore::RespellEmail(identity::UserId id,
                                                       std::string_view email) {
  auto read = [](const QueryResult& r, int row) { return ReadUserRow(r, row).user; };
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "email respelling", [&]() -> Result<identity::User> {
      auto updated =
          Run(conn, kRespellEmail, "respell email", {id, email, identity::EmailKey(email)});
      if (!updated) return updated.error();
      if (*updated > 0) {
        if (auto n = NotifyUserChanged(conn, id, "notify email respelling"); !n) return n.error();
      }
      auto found = ReadOne(conn, kSelectUserById, "user lookup", read, {id});
      if (!found) return found.error();
      if (!*found) return NotLoggedIn();
      return **found;
    });
  });
}

Result<void> PostgresUserStore::ReplacePassword(identity::UserId id, std::string_view password_hash,
                                                const session::SessionRecord& replacement) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "password change", [&]() -> Result<void> {
      // The notification is queued before the replacement's insert; a failed insert rolls
      // both back, so nothing is announced that did not happen.
      auto changed = SetPasswordEndingSessions(conn, id, password_hash, "notify password change");
      if (!changed) return changed.error();
      if (!*changed) return NotLoggedIn();
      return InsertSessionRow(conn, replacement, id);
    });
  });
}

Result<bool> PostgresUserStore::ResetPassword(identity::UserId id, std::string_view password_hash) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "password reset", [&] {
      return SetPasswordEndingSessions(conn, id, password_hash, "notify password reset");
    });
  });
}

// No notification: no node caches a password hash, and the sessions stay as they were.
Result<bool> PostgresUserStore::RehashPassword(identity::UserId id, std::string_view old_hash,
                                               std::string_view new_hash) {
  return WithConnection(pool_, [&](Connection& conn) -> Result<bool> {
    auto updated = Run(conn, kRehashPassword, "rehash password", {id, old_hash, new_hash});
    if (!updated) return updated.error();
    return *updated > 0;
  });
}

Result<bool> PostgresUserStore::SetDisabled(identity::UserId id, UnixTime at) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "disable", [&]() -> Result<bool> {
      auto updated = Run(conn, kSetDisabled, "disable user",
                         {id, at != UnixTime{} ? Param(at) : Param::Null()});
      if (!updated) return updated.error();
      if (*updated == 0) return false;
      // Enabling deletes them too: a login that raced the disable may have inserted a session
      // (never resolved while disabled), which must not come back to life now.
      if (auto deleted = Run(conn, kDeleteUserSessions, "delete sessions", {id}); !deleted) {
        return deleted.error();
      }
      if (auto t = Run(conn, kDeleteRecoveryTokens, "delete recovery tokens", {id}); !t) {
        return t.error();
      }
      if (auto n = NotifyUserChanged(conn, id, "notify disable"); !n) return n.error();
      return true;
    });
  });
}

}  // namespace latchkey::store::postgres
