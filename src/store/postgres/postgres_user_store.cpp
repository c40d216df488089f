#include "store/postgres/postgres_user_store.h"

#include "store/postgres/postgres_errors.h"
#include "store/postgres/postgres_session_store.h"
#include "store/postgres/session_notify.h"

namespace latchkey::store::postgres {
namespace {

constexpr const char* kInsertUser =
    "INSERT INTO users (username, name, password_hash, created_at) VALUES ($1, $2, $3, $4)"
    " RETURNING id";
constexpr const char* kSelectUserByUsername =
    "SELECT id, username, name, password_hash, created_at, disabled_at FROM users"
    " WHERE lower(username) = lower($1)";
constexpr const char* kSelectUserById =
    "SELECT id, username, name, password_hash, created_at, disabled_at FROM users WHERE id = $1";
constexpr const char* kSetDisabled = "UPDATE users SET disabled_at = $2 WHERE id = $1";
constexpr const char* kDeleteUser = "DELETE FROM users WHERE id = $1";
constexpr const char* kUpdateName =
    "UPDATE users SET name = $2 WHERE id = $1 RETURNING id, username, name";
constexpr const char* kUpdatePassword = "UPDATE users SET password_hash = $2 WHERE id = $1";
constexpr const char* kDeleteUserSessions = "DELETE FROM sessions WHERE user_id = $1";

Error NotLoggedIn() { return MakeError(Errc::kUnauthenticated, "Not logged in"); }

}  // namespace

identity::UserRecord ReadUserRow(const QueryResult& r, int row) {
  identity::UserRecord rec;
  rec.user = {r.Int(row, 0), r.Text(row, 1), r.Text(row, 2)};
  rec.password_hash = r.Text(row, 3);
  rec.created_at = r.Int(row, 4);
  rec.disabled_at = r.IsNull(row, 5) ? 0 : r.Int(row, 5);
  return rec;
}

Result<identity::User> PostgresUserStore::CreateUserWithSession(
    const identity::NewUser& user, const session::SessionRecord& first) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  Connection& conn = **lease;
  Transaction tx(conn);
  if (!tx.Began()) return StorageError(tx.begin_result(), "begin signup");
  QueryResult inserted =
      conn.Exec(kInsertUser, {user.username, user.name, user.password_hash, user.created_at});
  if (inserted.sqlstate() == kUniqueViolation) {
    return MakeError(Errc::kUsernameTaken, "This username is already taken", "username");
  }
  if (!inserted.ok() || inserted.rows() != 1) return StorageError(inserted, "insert user");
  identity::User created{inserted.Int(0, 0), user.username, user.name};
  if (auto r = InsertSessionRow(conn, first, created.id); !r) return r.error();
  if (QueryResult c = tx.Commit(); !c.ok()) return StorageError(c, "commit signup");
  return created;
}

Result<identity::User> PostgresUserStore::CreateUser(const identity::NewUser& user) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  QueryResult inserted =
      (*lease)->Exec(kInsertUser, {user.username, user.name, user.password_hash, user.created_at});
  if (inserted.sqlstate() == kUniqueViolation) {
    return MakeError(Errc::kUsernameTaken, "This username is already taken", "username");
  }
  if (!inserted.ok() || inserted.rows() != 1) return StorageError(inserted, "insert user");
  return identity::User{inserted.Int(0, 0), user.username, user.name};
}

Result<std::optional<identity::UserRecord>> PostgresUserStore::FindUserByUsername(
    std::string_view username) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  QueryResult r = (*lease)->Exec(kSelectUserByUsername, {username});
  if (!r.ok()) return StorageError(r, "user lookup");
  if (r.rows() == 0) return std::optional<identity::UserRecord>();
  return std::optional<identity::UserRecord>(ReadUserRow(r, 0));
}

Result<std::optional<identity::UserRecord>> PostgresUserStore::FindUserById(identity::UserId id) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  QueryResult r = (*lease)->Exec(kSelectUserById, {id});
  if (!r.ok()) return StorageError(r, "user lookup");
  if (r.rows() == 0) return std::optional<identity::UserRecord>();
  return std::optional<identity::UserRecord>(ReadUserRow(r, 0));
}

Result<bool> PostgresUserStore::DeleteUser(identity::UserId id) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  Connection& conn = **lease;
  Transaction tx(conn);
  if (!tx.Began()) return StorageError(tx.begin_result(), "begin user delete");
  QueryResult deleted = conn.Exec(kDeleteUser, {id});
  if (!deleted.ok()) return StorageError(deleted, "delete user");
  if (deleted.Affected() > 0) {
    if (QueryResult n = NotifyUserChanged(conn, id); !n.ok()) {
      return StorageError(n, "notify user delete");
    }
  }
  if (QueryResult c = tx.Commit(); !c.ok()) return StorageError(c, "commit user delete");
  return deleted.Affected() > 0;
}

Result<identity::User> PostgresUserStore::UpdateName(identity::UserId id, std::string_view name) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  Connection& conn = **lease;
  Transaction tx(conn);
  if (!tx.Began()) return StorageError(tx.begin_result(), "begin name update");
  QueryResult updated = conn.Exec(kUpdateName, {id, name});
  if (!updated.ok()) return StorageError(updated, "update name");
  if (updated.rows() == 0) return NotLoggedIn();
  if (QueryResult n = NotifyUserChanged(conn, id); !n.ok()) {
    return StorageError(n, "notify name update");
  }
  if (QueryResult c = tx.Commit(); !c.ok()) return StorageError(c, "commit name update");
  return identity::User{updated.Int(0, 0), updated.Text(0, 1), updated.Text(0, 2)};
}

Result<void> PostgresUserStore::ReplacePassword(identity::UserId id, std::string_view password_hash,
                                                const session::SessionRecord& replacement) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  Connection& conn = **lease;
  Transaction tx(conn);
  if (!tx.Began()) return StorageError(tx.begin_result(), "begin password change");
  QueryResult updated = conn.Exec(kUpdatePassword, {id, password_hash});
  if (!updated.ok()) return StorageError(updated, "update password");
  if (updated.Affected() == 0) return NotLoggedIn();
  QueryResult deleted = conn.Exec(kDeleteUserSessions, {id});
  if (!deleted.ok()) return StorageError(deleted, "delete sessions");
  if (auto r = InsertSessionRow(conn, replacement, id); !r) return r.error();
  if (QueryResult n = NotifyUserChanged(conn, id); !n.ok()) {
    return StorageError(n, "notify password change");
  }
  if (QueryResult c = tx.Commit(); !c.ok()) return StorageError(c, "commit password change");
  return {};
}

Result<bool> PostgresUserStore::ResetPassword(identity::UserId id, std::string_view password_hash) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  Connection& conn = **lease;
  Transaction tx(conn);
  if (!tx.Began()) return StorageError(tx.begin_result(), "begin password reset");
  QueryResult updated = conn.Exec(kUpdatePassword, {id, password_hash});
  if (!updated.ok()) return StorageError(updated, "update password");
  if (updated.Affected() == 0) return false;
  QueryResult deleted = conn.Exec(kDeleteUserSessions, {id});
  if (!deleted.ok()) return StorageError(deleted, "delete sessions");
  if (QueryResult n = NotifyUserChanged(conn, id); !n.ok()) {
    return StorageError(n, "notify password reset");
  }
  if (QueryResult c = tx.Commit(); !c.ok()) return StorageError(c, "commit password reset");
  return true;
}

Result<bool> PostgresUserStore::SetDisabled(identity::UserId id, UnixSeconds at) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  Connection& conn = **lease;
  Transaction tx(conn);
  if (!tx.Began()) return StorageError(tx.begin_result(), "begin disable");
  QueryResult updated = conn.Exec(kSetDisabled, {id, at > 0 ? Param(at) : Param::Null()});
  if (!updated.ok()) return StorageError(updated, "disable user");
  if (updated.Affected() == 0) return false;
  // Enabling deletes them too: a login that raced the disable may have inserted a session
  // (never resolved while disabled), which must not come back to life now.
  QueryResult deleted = conn.Exec(kDeleteUserSessions, {id});
  if (!deleted.ok()) return StorageError(deleted, "delete sessions");
  if (QueryResult n = NotifyUserChanged(conn, id); !n.ok()) {
    return StorageError(n, "notify disable");
  }
  if (QueryResult c = tx.Commit(); !c.ok()) return StorageError(c, "commit disable");
  return true;
}

}  // namespace latchkey::store::postgres
