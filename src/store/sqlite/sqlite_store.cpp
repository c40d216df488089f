#include "store/sqlite/sqlite_store.h"

#include <spdlog/spdlog.h>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_errors.h"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kInsertUser =
    "INSERT INTO users (username, name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kSelectUserByUsername =
    "SELECT id, username, name, password_hash, created_at, disabled_at FROM users"
    " WHERE username = ?1";
constexpr const char* kSelectUserById =
    "SELECT id, username, name, password_hash, created_at, disabled_at FROM users WHERE id = ?1";
constexpr const char* kSetDisabled = "UPDATE users SET disabled_at = ?2 WHERE id = ?1";
constexpr const char* kDeleteUser = "DELETE FROM users WHERE id = ?1";
constexpr const char* kUpdateName = "UPDATE users SET name = ?2 WHERE id = ?1";
constexpr const char* kUpdatePassword = "UPDATE users SET password_hash = ?2 WHERE id = ?1";
constexpr const char* kDeleteUserSessions = "DELETE FROM sessions WHERE user_id = ?1";
constexpr const char* kInsertSession =
    "INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at,"
    " user_agent, ip, idle_timeout, persistent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
// Column order shared by every session SELECT: see ReadSession.
#define LATCHKEY_SESSION_COLUMNS                                                             \
  "s.id, s.user_id, s.token_hash, s.created_at, s.last_seen_at, s.expires_at, s.user_agent," \
  " s.ip, s.idle_timeout, s.persistent"
constexpr const char* kSelectSessionByTokenHash =
    "SELECT " LATCHKEY_SESSION_COLUMNS
    ", u.username, u.name"
    " FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.token_hash = ?1 AND u.disabled_at IS NULL";
constexpr const char* kSelectSessionById =
    "SELECT " LATCHKEY_SESSION_COLUMNS " FROM sessions s WHERE s.id = ?1";
constexpr const char* kSelectUserSessions =
    "SELECT " LATCHKEY_SESSION_COLUMNS
    " FROM sessions s WHERE s.user_id = ?1 AND s.expires_at > ?2"
    " AND s.last_seen_at + s.idle_timeout > ?2 ORDER BY s.created_at DESC, s.rowid DESC";
#undef LATCHKEY_SESSION_COLUMNS
constexpr const char* kDeleteSessionByTokenHash = "DELETE FROM sessions WHERE token_hash = ?1";
constexpr const char* kDeleteUserSession = "DELETE FROM sessions WHERE id = ?2 AND user_id = ?1";
constexpr const char* kDeleteEndedUserSessions =
    "DELETE FROM sessions WHERE user_id = ?1 AND (expires_at <= ?2 OR last_seen_at + idle_timeout "
    "<= ?2)";
constexpr const char* kDeleteOtherSessions =
    "DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2";
constexpr const char* kTouchSession =
    "UPDATE sessions SET last_seen_at = max(last_seen_at, ?2) WHERE token_hash = ?1";
constexpr const char* kDeleteExpiredSessions =
    "DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at + idle_timeout <= ?1";

session::SessionRecord ReadSession(const Statement& stmt) {
  session::SessionRecord s;
  s.id = stmt.Text(0);
  s.user_id = stmt.Int(1);
  s.token_hash = stmt.Text(2);
  s.created_at = stmt.Int(3);
  s.last_seen_at = stmt.Int(4);
  s.expires_at = stmt.Int(5);
  s.user_agent = stmt.Text(6);
  s.ip = stmt.Text(7);
  s.idle_timeout = stmt.Int(8);
  s.persistent = stmt.Int(9) != 0;
  return s;
}

identity::UserRecord ReadUser(const Statement& stmt) {
  identity::UserRecord rec;
  rec.user = {stmt.Int(0), stmt.Text(1), stmt.Text(2)};
  rec.password_hash = stmt.Text(3);
  rec.created_at = stmt.Int(4);
  rec.disabled_at = stmt.IsNull(5) ? 0 : stmt.Int(5);
  return rec;
}

Result<void> BindAndRunSessionInsert(Connection& conn, const session::SessionRecord& s,
                                     identity::UserId user_id) {
  auto stmt = conn.Prepare(kInsertSession);
  if (!stmt) return StorageError(conn, "prepare session insert");
  int rc = stmt->Bind(1, s.id)
               .Bind(2, user_id)
               .Bind(3, s.token_hash)
               .Bind(4, s.created_at)
               .Bind(5, s.last_seen_at)
               .Bind(6, s.expires_at)
               .Bind(7, s.user_agent)
               .Bind(8, s.ip)
               .Bind(9, s.idle_timeout)
               .Bind(10, std::int64_t{s.persistent ? 1 : 0})
               .Step();
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return MakeError(Errc::kUnauthenticated, "Not logged in");
  }
  if (rc != SQLITE_DONE) return StorageError(conn, "insert session");
  return {};
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, std::size_t pool_size) : pool_(path, pool_size) {
  auto conn = pool_.Acquire();
  for (int v : Migrate(*conn)) spdlog::info("applied migration {}", v);
}

namespace {

// The users row of `user` (one statement; the caller's transaction, if any, holds it).
// Errors: kUsernameTaken from the unique index (case-insensitive), else storage errors.
Result<identity::User> InsertUser(Connection& conn, const identity::NewUser& user) {
  auto stmt = conn.Prepare(kInsertUser);
  if (!stmt) return StorageError(conn, "prepare user insert");
  int rc = stmt->Bind(1, user.username)
               .Bind(2, user.name)
               .Bind(3, user.password_hash)
               .Bind(4, user.created_at)
               .Step();
  if (rc == SQLITE_CONSTRAINT_UNIQUE) {
    return MakeError(Errc::kUsernameTaken, "This username is already taken", "username");
  }
  if (rc != SQLITE_DONE) return StorageError(conn, "insert user");
  return identity::User{conn.LastInsertRowId(), user.username, user.name};
}

}  // namespace

Result<identity::User> SqliteStore::CreateUserWithSession(const identity::NewUser& user,
                                                          const session::SessionRecord& first) {
  auto conn = pool_.Acquire();
  Transaction tx(*conn);
  if (!tx.Began()) return StorageError(*conn, "begin signup");
  auto created = InsertUser(*conn, user);
  if (!created) return created.error();
  if (auto r = BindAndRunSessionInsert(*conn, first, created->id); !r) return r.error();
  if (tx.Commit() != SQLITE_OK) return StorageError(*conn, "commit signup");
  return created;
}

Result<identity::User> SqliteStore::CreateUser(const identity::NewUser& user) {
  auto conn = pool_.Acquire();
  return InsertUser(*conn, user);
}

Result<std::optional<identity::UserRecord>> SqliteStore::FindUserByUsername(
    std::string_view username) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kSelectUserByUsername);
  if (!stmt) return StorageError(*conn, "prepare user lookup");
  int rc = stmt->Bind(1, username).Step();
  if (rc == SQLITE_DONE) return std::optional<identity::UserRecord>();
  if (rc != SQLITE_ROW) return StorageError(*conn, "user lookup");
  return std::optional<identity::UserRecord>(ReadUser(*stmt));
}

Result<std::optional<identity::UserRecord>> SqliteStore::FindUserById(identity::UserId id) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kSelectUserById);
  if (!stmt) return StorageError(*conn, "prepare user lookup");
  int rc = stmt->Bind(1, id).Step();
  if (rc == SQLITE_DONE) return std::optional<identity::UserRecord>();
  if (rc != SQLITE_ROW) return StorageError(*conn, "user lookup");
  return std::optional<identity::UserRecord>(ReadUser(*stmt));
}

Result<identity::User> SqliteStore::UpdateName(identity::UserId id, std::string_view name) {
  auto conn = pool_.Acquire();
  {
    auto stmt = conn->Prepare(kUpdateName);
    if (!stmt) return StorageError(*conn, "prepare name update");
    if (stmt->Bind(1, id).Bind(2, name).Step() != SQLITE_DONE) {
      return StorageError(*conn, "update name");
    }
  }
  if (conn->Changes() == 0) return MakeError(Errc::kUnauthenticated, "Not logged in");
  auto stmt = conn->Prepare(kSelectUserById);
  if (!stmt) return StorageError(*conn, "prepare user lookup");
  if (stmt->Bind(1, id).Step() != SQLITE_ROW) return StorageError(*conn, "user lookup");
  return ReadUser(*stmt).user;
}

Result<void> SqliteStore::ReplacePassword(identity::UserId id, std::string_view password_hash,
                                          const session::SessionRecord& replacement) {
  auto conn = pool_.Acquire();
  Transaction tx(*conn);
  if (!tx.Began()) return StorageError(*conn, "begin password change");
  {
    auto stmt = conn->Prepare(kUpdatePassword);
    if (!stmt) return StorageError(*conn, "prepare password update");
    if (stmt->Bind(1, id).Bind(2, password_hash).Step() != SQLITE_DONE) {
      return StorageError(*conn, "update password");
    }
  }
  if (conn->Changes() == 0) return MakeError(Errc::kUnauthenticated, "Not logged in");
  {
    auto stmt = conn->Prepare(kDeleteUserSessions);
    if (!stmt) return StorageError(*conn, "prepare sessions delete");
    if (stmt->Bind(1, id).Step() != SQLITE_DONE) return StorageError(*conn, "delete sessions");
  }
  if (auto r = BindAndRunSessionInsert(*conn, replacement, id); !r) return r.error();
  if (tx.Commit() != SQLITE_OK) return StorageError(*conn, "commit password change");
  return {};
}

Result<bool> SqliteStore::ResetPassword(identity::UserId id, std::string_view password_hash) {
  auto conn = pool_.Acquire();
  Transaction tx(*conn);
  if (!tx.Began()) return StorageError(*conn, "begin password reset");
  {
    auto stmt = conn->Prepare(kUpdatePassword);
    if (!stmt) return StorageError(*conn, "prepare password update");
    if (stmt->Bind(1, id).Bind(2, password_hash).Step() != SQLITE_DONE) {
      return StorageError(*conn, "update password");
    }
  }
  if (conn->Changes() == 0) return false;
  {
    auto stmt = conn->Prepare(kDeleteUserSessions);
    if (!stmt) return StorageError(*conn, "prepare sessions delete");
    if (stmt->Bind(1, id).Step() != SQLITE_DONE) return StorageError(*conn, "delete sessions");
  }
  if (tx.Commit() != SQLITE_OK) return StorageError(*conn, "commit password reset");
  return true;
}

Result<bool> SqliteStore::SetDisabled(identity::UserId id, UnixSeconds at) {
  auto conn = pool_.Acquire();
  Transaction tx(*conn);
  if (!tx.Began()) return StorageError(*conn, "begin disable");
  {
    auto stmt = conn->Prepare(kSetDisabled);
    if (!stmt) return StorageError(*conn, "prepare disable");
    stmt->Bind(1, id);
    if (at > 0) {
      stmt->Bind(2, at);
    } else {
      stmt->BindNull(2);
    }
    if (stmt->Step() != SQLITE_DONE) return StorageError(*conn, "disable user");
  }
  if (conn->Changes() == 0) return false;
  {
    // Enabling deletes them too: a login that raced the disable may have inserted a session
    // (never resolved while disabled), which must not come back to life now.
    auto stmt = conn->Prepare(kDeleteUserSessions);
    if (!stmt) return StorageError(*conn, "prepare sessions delete");
    if (stmt->Bind(1, id).Step() != SQLITE_DONE) return StorageError(*conn, "delete sessions");
  }
  if (tx.Commit() != SQLITE_OK) return StorageError(*conn, "commit disable");
  return true;
}

Result<bool> SqliteStore::DeleteUser(identity::UserId id) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kDeleteUser);
  if (!stmt) return StorageError(*conn, "prepare user delete");
  if (stmt->Bind(1, id).Step() != SQLITE_DONE) return StorageError(*conn, "delete user");
  return conn->Changes() > 0;
}

Result<void> SqliteStore::InsertSession(const session::SessionRecord& created,
                                        std::optional<std::string_view> replaced_token_hash) {
  auto conn = pool_.Acquire();
  Transaction tx(*conn);
  if (!tx.Began()) return StorageError(*conn, "begin session insert");
  if (replaced_token_hash) {
    auto stmt = conn->Prepare(kDeleteSessionByTokenHash);
    if (!stmt) return StorageError(*conn, "prepare session delete");
    if (stmt->Bind(1, *replaced_token_hash).Step() != SQLITE_DONE) {
      return StorageError(*conn, "delete replaced session");
    }
  }
  if (auto r = BindAndRunSessionInsert(*conn, created, created.user_id); !r) return r.error();
  if (tx.Commit() != SQLITE_OK) return StorageError(*conn, "commit session insert");
  return {};
}

Result<std::optional<session::ResolvedSession>> SqliteStore::FindSessionByTokenHash(
    std::string_view token_hash) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kSelectSessionByTokenHash);
  if (!stmt) return StorageError(*conn, "prepare session lookup");
  int rc = stmt->Bind(1, token_hash).Step();
  if (rc == SQLITE_DONE) return std::optional<session::ResolvedSession>();
  if (rc != SQLITE_ROW) return StorageError(*conn, "session lookup");
  session::ResolvedSession out;
  out.session = ReadSession(*stmt);
  out.user = {out.session.user_id, stmt->Text(10), stmt->Text(11)};
  return std::optional<session::ResolvedSession>(std::move(out));
}

Result<std::optional<session::SessionRecord>> SqliteStore::FindSessionById(std::string_view id) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kSelectSessionById);
  if (!stmt) return StorageError(*conn, "prepare session lookup");
  int rc = stmt->Bind(1, id).Step();
  if (rc == SQLITE_DONE) return std::optional<session::SessionRecord>();
  if (rc != SQLITE_ROW) return StorageError(*conn, "session lookup");
  return std::optional<session::SessionRecord>(ReadSession(*stmt));
}

Result<bool> SqliteStore::DeleteSessionByTokenHash(std::string_view token_hash) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kDeleteSessionByTokenHash);
  if (!stmt) return StorageError(*conn, "prepare session delete");
  if (stmt->Bind(1, token_hash).Step() != SQLITE_DONE) return StorageError(*conn, "delete session");
  return conn->Changes() > 0;
}

Result<long> SqliteStore::DeleteExpiredSessions(UnixSeconds now) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kDeleteExpiredSessions);
  if (!stmt) return StorageError(*conn, "prepare expired sweep");
  if (stmt->Bind(1, now).Step() != SQLITE_DONE) return StorageError(*conn, "sweep sessions");
  return static_cast<long>(conn->Changes());
}

Result<void> SqliteStore::TouchSession(std::string_view token_hash, UnixSeconds now) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kTouchSession);
  if (!stmt) return StorageError(*conn, "prepare session touch");
  if (stmt->Bind(1, token_hash).Bind(2, now).Step() != SQLITE_DONE) {
    return StorageError(*conn, "touch session");
  }
  return {};
}

Result<void> SqliteStore::TouchSessions(const std::vector<Touch>& touches) {
  auto conn = pool_.Acquire();
  Transaction tx(*conn);
  if (!tx.Began()) return StorageError(*conn, "begin session touches");
  for (const Touch& t : touches) {
    auto stmt = conn->Prepare(kTouchSession);
    if (!stmt) return StorageError(*conn, "prepare session touch");
    if (stmt->Bind(1, t.token_hash).Bind(2, t.at).Step() != SQLITE_DONE) {
      return StorageError(*conn, "touch sessions");
    }
  }
  if (tx.Commit() != SQLITE_OK) return StorageError(*conn, "commit session touches");
  return {};
}

Result<std::vector<session::SessionRecord>> SqliteStore::ListSessions(identity::UserId user_id,
                                                                      UnixSeconds now) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kSelectUserSessions);
  if (!stmt) return StorageError(*conn, "prepare session list");
  stmt->Bind(1, user_id).Bind(2, now);
  std::vector<session::SessionRecord> out;
  int rc;
  while ((rc = stmt->Step()) == SQLITE_ROW) out.push_back(ReadSession(*stmt));
  if (rc != SQLITE_DONE) return StorageError(*conn, "list sessions");
  return out;
}

Result<bool> SqliteStore::DeleteUserSession(identity::UserId user_id, std::string_view id) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kDeleteUserSession);
  if (!stmt) return StorageError(*conn, "prepare session revoke");
  if (stmt->Bind(1, user_id).Bind(2, id).Step() != SQLITE_DONE) {
    return StorageError(*conn, "revoke session");
  }
  return conn->Changes() > 0;
}

Result<long> SqliteStore::DeleteOtherSessions(identity::UserId user_id,
                                              std::string_view keep_token_hash, UnixSeconds now) {
  auto conn = pool_.Acquire();
  Transaction tx(*conn);
  if (!tx.Began()) return StorageError(*conn, "begin revoke others");
  {
    // Ended sessions first, uncounted: "revoked" counts sessions that were still live.
    auto ended = conn->Prepare(kDeleteEndedUserSessions);
    if (!ended) return StorageError(*conn, "prepare ended sessions delete");
    if (ended->Bind(1, user_id).Bind(2, now).Step() != SQLITE_DONE) {
      return StorageError(*conn, "delete ended sessions");
    }
  }
  long revoked = 0;
  {
    auto stmt = conn->Prepare(kDeleteOtherSessions);
    if (!stmt) return StorageError(*conn, "prepare revoke others");
    if (stmt->Bind(1, user_id).Bind(2, keep_token_hash).Step() != SQLITE_DONE) {
      return StorageError(*conn, "revoke other sessions");
    }
    revoked = static_cast<long>(conn->Changes());
  }
  if (tx.Commit() != SQLITE_OK) return StorageError(*conn, "commit revoke others");
  return revoked;
}

}  // namespace latchkey::store::sqlite
