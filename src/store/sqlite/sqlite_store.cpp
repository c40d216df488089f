#include "store/sqlite/sqlite_store.h"

#include <spdlog/spdlog.h>

#include "store/sqlite/migrations.h"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kInsertUser =
    "INSERT INTO users (username, name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kSelectUserByUsername =
    "SELECT id, username, name, password_hash, created_at FROM users WHERE username = ?1";
constexpr const char* kDeleteUser = "DELETE FROM users WHERE id = ?1";
constexpr const char* kInsertSession =
    "INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at,"
    " user_agent, ip) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kSelectSessionByTokenHash =
    "SELECT s.id, s.user_id, s.token_hash, s.created_at, s.last_seen_at, s.expires_at,"
    " s.user_agent, s.ip, u.username, u.name"
    " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1";
constexpr const char* kDeleteSessionByTokenHash = "DELETE FROM sessions WHERE token_hash = ?1";
constexpr const char* kDeleteExpiredSessions = "DELETE FROM sessions WHERE expires_at <= ?1";

// The one place where SQLite result codes become Errc. The client sees a generic message;
// the log gets the driver's.
Error StorageError(Connection& conn, const char* what) {
  spdlog::error("sqlite {}: {} (code {})", what, conn.ErrorMessage(), conn.ExtendedErrcode());
  return MakeError(Errc::kStorageUnavailable, "The service is temporarily unavailable");
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
               .Step();
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return MakeError(Errc::kUnauthenticated, "Not logged in");
  }
  if (rc != SQLITE_DONE) return StorageError(conn, "insert session");
  return {};
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, std::size_t pool_size)
    : pool_(path, pool_size) {
  auto conn = pool_.Acquire();
  for (int v : Migrate(*conn)) spdlog::info("applied migration {}", v);
}

Result<identity::User> SqliteStore::CreateUserWithSession(const identity::NewUser& user,
                                                          const session::SessionRecord& first) {
  auto conn = pool_.Acquire();
  Transaction tx(*conn);
  if (!tx.Began()) return StorageError(*conn, "begin signup");
  {
    auto stmt = conn->Prepare(kInsertUser);
    if (!stmt) return StorageError(*conn, "prepare user insert");
    int rc = stmt->Bind(1, user.username)
                 .Bind(2, user.name)
                 .Bind(3, user.password_hash)
                 .Bind(4, user.created_at)
                 .Step();
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
      return MakeError(Errc::kUsernameTaken, "This username is already taken", "username");
    }
    if (rc != SQLITE_DONE) return StorageError(*conn, "insert user");
  }
  identity::User created{conn->LastInsertRowId(), user.username, user.name};
  if (auto r = BindAndRunSessionInsert(*conn, first, created.id); !r) return r.error();
  if (tx.Commit() != SQLITE_OK) return StorageError(*conn, "commit signup");
  return created;
}

Result<std::optional<identity::UserRecord>> SqliteStore::FindUserByUsername(
    std::string_view username) {
  auto conn = pool_.Acquire();
  auto stmt = conn->Prepare(kSelectUserByUsername);
  if (!stmt) return StorageError(*conn, "prepare user lookup");
  int rc = stmt->Bind(1, username).Step();
  if (rc == SQLITE_DONE) return std::optional<identity::UserRecord>();
  if (rc != SQLITE_ROW) return StorageError(*conn, "user lookup");
  identity::UserRecord rec;
  rec.user = {stmt->Int(0), stmt->Text(1), stmt->Text(2)};
  rec.password_hash = stmt->Text(3);
  rec.created_at = stmt->Int(4);
  return std::optional<identity::UserRecord>(std::move(rec));
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
  out.session = {stmt->Text(0), stmt->Int(1), stmt->Text(2), stmt->Int(3),
                 stmt->Int(4),  stmt->Int(5), stmt->Text(6), stmt->Text(7)};
  out.user = {out.session.user_id, stmt->Text(8), stmt->Text(9)};
  return std::optional<session::ResolvedSession>(std::move(out));
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

}  // namespace latchkey::store::sqlite
