#include "store/sqlite/sqlite_user_store.h"

#include "identity/email.h"
#include "store/sqlite/sqlite_session_store.h"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kInsertUser =
    "INSERT INTO users (username, name, password_hash, created_at, email, email_key)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kSelectUserByUsername =
    "SELECT " LATCHKEY_SQLITE_USER_COLUMNS " FROM users WHERE username = ?1";
constexpr const char* kSelectUserById =
    "SELECT " LATCHKEY_SQLITE_USER_COLUMNS " FROM users WHERE id = ?1";
constexpr const char* kSelectUserByVerifiedEmail =
    "SELECT " LATCHKEY_SQLITE_USER_COLUMNS
    " FROM users WHERE email_key = ?1 AND email_verified_at IS NOT NULL";
constexpr const char* kSetDisabled = "UPDATE users SET disabled_at = ?2 WHERE id = ?1";
constexpr const char* kDeleteUser = "DELETE FROM users WHERE id = ?1";
constexpr const char* kUpdateName = "UPDATE users SET name = ?2 WHERE id = ?1";
constexpr const char* kRespellEmail =
    "UPDATE users SET email = ?2 WHERE id = ?1 AND email_key = ?3";
// Other processes' caches hold the address (migration 4's trigger does not watch it).
constexpr const char* kAnnounceUser = "INSERT INTO session_changes (user_id) VALUES (?1)";
constexpr const char* kUpdatePassword = "UPDATE users SET password_hash = ?2 WHERE id = ?1";
constexpr const char* kRehashPassword =
    "UPDATE users SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2";
constexpr const char* kDeleteUserSessions = "DELETE FROM sessions WHERE user_id = ?1";
// A recovery token is a second way to set the password: a changed password, or a disabled
// account, ends the ones pending (they may have been asked for by whoever held the account).
constexpr const char* kDeleteRecoveryTokens =
    "DELETE FROM one_time_tokens WHERE user_id = ?1 AND purpose = 'recovery'";

Error NotLoggedIn() { return MakeError(Errc::kUnauthenticated); }

// The users row of `user` (one statement; the caller's transaction, if any, holds it).
// Errors: kUsernameTaken from the unique index (case-insensitive), else storage errors.
}  // namespace

Result<identity::User> InsertUser(Connection& conn, const identity::NewUser& user) {
  auto inserted =
      Query(conn, kInsertUser, "insert user", user.username, user.name, user.password_hash,
            user.created_at, EmailColumn(user.email), EmailKeyColumn(user.email))
          .RunOr(SQLITE_CONSTRAINT_UNIQUE, MakeError(Errc::kUsernameTaken, {}, "username"));
  if (!inserted) return inserted.error();
  return identity::User{identity::UserId(conn.LastInsertRowId()), user.username, user.name,
                        user.email, false};
}

namespace {

// Sets the password hash of user `id` and deletes every session and recovery token of the
// user, in the caller's transaction. False (nothing written) when there is no such user.
Result<bool> SetPasswordEndingSessions(Connection& conn, identity::UserId id,
                                       std::string_view password_hash) {
  auto updated = Run(conn, kUpdatePassword, "update password", id, password_hash);
  if (!updated) return updated.error();
  if (*updated == 0) return false;
  if (auto deleted = Run(conn, kDeleteUserSessions, "delete sessions", id); !deleted) {
    return deleted.error();
  }
  if (auto deleted = Run(conn, kDeleteRecoveryTokens, "delete recovery tokens", id); !deleted) {
    return deleted.error();
  }
  return true;
}

}  // namespace

std::optional<std::string> EmailColumn(std::string_view email) {
  if (email.empty()) return std::nullopt;
  return std::string(email);
}

std::optional<std::string> EmailKeyColumn(std::string_view email) {
  if (email.empty()) return std::nullopt;
  return identity::EmailKey(email);
}

identity::UserRecord ReadUserRow(const Query& row) {
  identity::UserRecord rec;
  rec.user = {identity::UserId(row.Int(0)), row.Text(1), row.Text(2), row.Text(6), !row.IsNull(7)};
  rec.password_hash = row.Text(3);
  rec.created_at = FromUnixSeconds(row.Int(4));
  rec.disabled_at = FromUnixSeconds(row.IntOrZero(5));
  rec.email_verified_at = FromUnixSeconds(row.IntOrZero(7));
  return rec;
}

Result<std::optional<identity::UserRecord>> SqliteUserStore::FindUserByVerifiedEmail(
    std::string_view email_key) {
  auto conn = pool_.Acquire();
  return ReadOne(*conn, kSelectUserByVerifiedEmail, "user lookup by email", ReadUserRow, email_key);
}

Result<identity::User> SqliteUserStore::CreateUserWithSession(const identity::NewUser& user,
                                                              const session::SessionRecord& first) {
  auto conn = pool_.Acquire();
  return InTransaction(*conn, "signup", [&]() -> Result<identity::User> {
    auto created = InsertUser(*conn, user);
    if (!created) return created;
    if (auto r = InsertSessionRow(*conn, first, created->id); !r) return r.error();
    return created;
  });
}

Result<identity::User> SqliteUserStore::CreateUser(const identity::NewUser& user) {
  auto conn = pool_.Acquire();
  return InsertUser(*conn, user);
}

Result<std::optional<identity::UserRecord>> SqliteUserStore::FindUserByUsername(
    std::string_view username) {
  auto conn = pool_.Acquire();
  return ReadOne(*conn, kSelectUserByUsername, "user lookup", ReadUserRow, username);
}

Result<std::optional<identity::UserRecord>> SqliteUserStore::FindUserById(identity::UserId id) {
  auto conn = pool_.Acquire();
  return ReadOne(*conn, kSelectUserById, "user lookup", ReadUserRow, id);
}

Result<identity::User> SqliteUserStore::UpdateName(identity::UserId id, std::string_view name) {
  auto conn = pool_.Acquire();
  auto updated = Run(*conn, kUpdateName, "update name", id, name);
  if (!updated) return updated.error();
  if (*updated == 0) return NotLoggedIn();
  auto found = ReadOne(*conn, kSelectUserById, "user lookup", ReadUserRow, id);
  if (!found) return found.error();
  if (!*found) return StorageError(*conn, "user lookup");
  return (*found)->user;
}

Result<identity::User> SqliteUserStore::RespellEmail(identity::UserId id, std::string_view email) {
  auto conn = pool_.Acquire();
  return InTransaction(*conn, "email respelling", [&]() -> Result<identity::User> {
    auto updated = Run(*conn, kRespellEmail, "respell email", id, email, identity::EmailKey(email));
    if (!updated) return updated.error();
    if (*updated > 0) {
      if (auto r = Run(*conn, kAnnounceUser, "announce user", id); !r) return r.error();
    }
    auto found = ReadOne(*conn, kSelectUserById, "user lookup", ReadUserRow, id);
    if (!found) return found.error();
    if (!*found) return NotLoggedIn();
    return (*found)->user;
  });
}

Result<void> SqliteUserStore::ReplacePassword(identity::UserId id, std::string_view password_hash,
                                              const session::SessionRecord& replacement) {
  auto conn = pool_.Acquire();
  return InTransaction(*conn, "password change", [&]() -> Result<void> {
    auto changed = SetPasswordEndingSessions(*conn, id, password_hash);
    if (!changed) return changed.error();
    if (!*changed) return NotLoggedIn();
    return InsertSessionRow(*conn, replacement, id);
  });
}

Result<bool> SqliteUserStore::ResetPassword(identity::UserId id, std::string_view password_hash) {
  auto conn = pool_.Acquire();
  return InTransaction(*conn, "password reset",
                       [&] { return SetPasswordEndingSessions(*conn, id, password_hash); });
}

Result<bool> SqliteUserStore::RehashPassword(identity::UserId id, std::string_view old_hash,
                                             std::string_view new_hash) {
  auto conn = pool_.Acquire();
  auto updated = Run(*conn, kRehashPassword, "rehash password", id, old_hash, new_hash);
  if (!updated) return updated.error();
  return *updated > 0;
}

Result<bool> SqliteUserStore::SetDisabled(identity::UserId id, UnixTime at) {
  auto conn = pool_.Acquire();
  return InTransaction(*conn, "disable", [&]() -> Result<bool> {
    auto updated = Run(*conn, kSetDisabled, "disable user", id,
                       at != UnixTime{} ? std::optional<UnixTime>(at) : std::nullopt);
    if (!updated) return updated.error();
    if (*updated == 0) return false;
    // Enabling deletes them too: a login that raced the disable may have inserted a session
    // (never resolved while disabled), which must not come back to life now.
    auto deleted = Run(*conn, kDeleteUserSessions, "delete sessions", id);
    if (!deleted) return deleted.error();
    auto tokens = Run(*conn, kDeleteRecoveryTokens, "delete recovery tokens", id);
    if (!tokens) return tokens.error();
    return true;
  });
}

Result<bool> SqliteUserStore::DeleteUser(identity::UserId id) {
  auto conn = pool_.Acquire();
  auto deleted = Run(*conn, kDeleteUser, "delete user", id);
  if (!deleted) return deleted.error();
  return *deleted > 0;
}

}  // namespace latchkey::store::sqlite
