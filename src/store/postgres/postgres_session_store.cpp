#include "store/postgres/postgres_session_store.h"

#include "store/postgres/postgres_errors.h"
#include "store/postgres/session_notify.h"
#include "store/postgres/text.h"

namespace latchkey::store::postgres {
namespace {

constexpr const char* kInsertSession =
    "INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at,"
    " user_agent, ip, idle_timeout, persistent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
// Column order shared by every session SELECT: see ReadSession.
#define LATCHKEY_SESSION_COLUMNS                                                             \
  "s.id, s.user_id, s.token_hash, s.created_at, s.last_seen_at, s.expires_at, s.user_agent," \
  " s.ip, s.idle_timeout, s.persistent"
constexpr const char* kSelectSessionByTokenHash =
    "SELECT " LATCHKEY_SESSION_COLUMNS
    ", u.username, u.name"
    " FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.token_hash = $1 AND u.disabled_at IS NULL";
constexpr const char* kSelectSessionById =
    "SELECT " LATCHKEY_SESSION_COLUMNS " FROM sessions s WHERE s.id = $1";
constexpr const char* kSelectUserSessions =
    "SELECT " LATCHKEY_SESSION_COLUMNS
    " FROM sessions s WHERE s.user_id = $1 AND s.expires_at > $2"
    " AND s.last_seen_at + s.idle_timeout > $2 ORDER BY s.created_at DESC, s.seq DESC";
#undef LATCHKEY_SESSION_COLUMNS
constexpr const char* kDeleteSessionByTokenHash = "DELETE FROM sessions WHERE token_hash = $1";
constexpr const char* kDeleteUserSession = "DELETE FROM sessions WHERE id = $2 AND user_id = $1";
constexpr const char* kDeleteEndedUserSessions =
    "DELETE FROM sessions WHERE user_id = $1 AND (expires_at <= $2 OR last_seen_at + idle_timeout "
    "<= $2)";
constexpr const char* kDeleteOtherSessions =
    "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2";
constexpr const char* kTouchSession =
    "UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $2) WHERE token_hash = $1";
constexpr const char* kDeleteExpiredSessions =
    "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at + idle_timeout <= $1";

session::SessionRecord ReadSession(const QueryResult& r, int row) {
  session::SessionRecord s;
  s.id = r.Text(row, 0);
  s.user_id = r.Int(row, 1);
  s.token_hash = r.Text(row, 2);
  s.created_at = r.Int(row, 3);
  s.last_seen_at = r.Int(row, 4);
  s.expires_at = r.Int(row, 5);
  s.user_agent = r.Text(row, 6);
  s.ip = r.Text(row, 7);
  s.idle_timeout = r.Int(row, 8);
  s.persistent = r.Bool(row, 9);
  return s;
}

}  // namespace

Result<void> InsertSessionRow(Connection& conn, const session::SessionRecord& s,
                              identity::UserId user_id) {
  QueryResult r =
      conn.Exec(kInsertSession, {s.id, user_id, s.token_hash, s.created_at, s.last_seen_at,
                                 s.expires_at, StorableText(s.user_agent), StorableText(s.ip),
                                 s.idle_timeout, Param::Bool(s.persistent)});
  if (r.sqlstate() == kForeignKeyViolation)
    return MakeError(Errc::kUnauthenticated, "Not logged in");
  if (!r.ok()) return StorageError(r, "insert session");
  return {};
}

Result<void> PostgresSessionStore::InsertSession(
    const session::SessionRecord& created, std::optional<std::string_view> replaced_token_hash) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  Connection& conn = **lease;
  Transaction tx(conn);
  if (!tx.Began()) return StorageError(tx.begin_result(), "begin session insert");
  if (replaced_token_hash) {
    QueryResult deleted = conn.Exec(kDeleteSessionByTokenHash, {*replaced_token_hash});
    if (!deleted.ok()) return StorageError(deleted, "delete replaced session");
    if (deleted.Affected() > 0) {
      if (QueryResult n = NotifyTokenChanged(conn, *replaced_token_hash); !n.ok()) {
        return StorageError(n, "notify replaced session");
      }
    }
  }
  if (auto r = InsertSessionRow(conn, created, created.user_id); !r) return r.error();
  if (QueryResult c = tx.Commit(); !c.ok()) return StorageError(c, "commit session insert");
  return {};
}

Result<std::optional<session::ResolvedSession>> PostgresSessionStore::FindSessionByTokenHash(
    std::string_view token_hash) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  QueryResult r = (*lease)->Exec(kSelectSessionByTokenHash, {token_hash});
  if (!r.ok()) return StorageError(r, "session lookup");
  if (r.rows() == 0) return std::optional<session::ResolvedSession>();
  session::ResolvedSession out;
  out.session = ReadSession(r, 0);
  out.user = {out.session.user_id, r.Text(0, 10), r.Text(0, 11)};
  return std::optional<session::ResolvedSession>(std::move(out));
}

Result<std::optional<session::SessionRecord>> PostgresSessionStore::FindSessionById(
    std::string_view id) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  QueryResult r = (*lease)->Exec(kSelectSessionById, {id});
  if (!r.ok()) return StorageError(r, "session lookup");
  if (r.rows() == 0) return std::optional<session::SessionRecord>();
  return std::optional<session::SessionRecord>(ReadSession(r, 0));
}

Result<bool> PostgresSessionStore::DeleteSessionByTokenHash(std::string_view token_hash) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  Connection& conn = **lease;
  Transaction tx(conn);
  if (!tx.Began()) return StorageError(tx.begin_result(), "begin session delete");
  QueryResult deleted = conn.Exec(kDeleteSessionByTokenHash, {token_hash});
  if (!deleted.ok()) return StorageError(deleted, "delete session");
  if (deleted.Affected() > 0) {
    if (QueryResult n = NotifyTokenChanged(conn, token_hash); !n.ok()) {
      return StorageError(n, "notify session delete");
    }
  }
  if (QueryResult c = tx.Commit(); !c.ok()) return StorageError(c, "commit session delete");
  return deleted.Affected() > 0;
}

Result<long> PostgresSessionStore::DeleteExpiredSessions(UnixSeconds now) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  QueryResult r = (*lease)->Exec(kDeleteExpiredSessions, {now});
  if (!r.ok()) return StorageError(r, "sweep sessions");
  return r.Affected();
}

Result<void> PostgresSessionStore::TouchSession(std::string_view token_hash, UnixSeconds now) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  QueryResult r = (*lease)->Exec(kTouchSession, {token_hash, now});
  if (!r.ok()) return StorageError(r, "touch session");
  return {};
}

Result<void> PostgresSessionStore::TouchSessions(const std::vector<Touch>& touches) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  Connection& conn = **lease;
  Transaction tx(conn);
  if (!tx.Began()) return StorageError(tx.begin_result(), "begin session touches");
  for (const Touch& t : touches) {
    QueryResult r = conn.Exec(kTouchSession, {t.token_hash, t.at});
    if (!r.ok()) return StorageError(r, "touch sessions");
  }
  QueryResult committed = tx.Commit();
  if (!committed.ok()) return StorageError(committed, "commit session touches");
  return {};
}

Result<std::vector<session::SessionRecord>> PostgresSessionStore::ListSessions(
    identity::UserId user_id, UnixSeconds now) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  QueryResult r = (*lease)->Exec(kSelectUserSessions, {user_id, now});
  if (!r.ok()) return StorageError(r, "list sessions");
  std::vector<session::SessionRecord> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) out.push_back(ReadSession(r, row));
  return out;
}

Result<bool> PostgresSessionStore::DeleteUserSession(identity::UserId user_id,
                                                     std::string_view id) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  Connection& conn = **lease;
  Transaction tx(conn);
  if (!tx.Began()) return StorageError(tx.begin_result(), "begin session revoke");
  QueryResult deleted = conn.Exec(kDeleteUserSession, {user_id, id});
  if (!deleted.ok()) return StorageError(deleted, "revoke session");
  if (deleted.Affected() > 0) {
    if (QueryResult n = NotifyUserChanged(conn, user_id); !n.ok()) {
      return StorageError(n, "notify session revoke");
    }
  }
  if (QueryResult c = tx.Commit(); !c.ok()) return StorageError(c, "commit session revoke");
  return deleted.Affected() > 0;
}

Result<long> PostgresSessionStore::DeleteOtherSessions(identity::UserId user_id,
                                                       std::string_view keep_token_hash,
                                                       UnixSeconds now) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.error();
  Connection& conn = **lease;
  Transaction tx(conn);
  if (!tx.Began()) return StorageError(tx.begin_result(), "begin revoke others");
  // Ended sessions first, uncounted: "revoked" counts sessions that were still live.
  QueryResult ended = conn.Exec(kDeleteEndedUserSessions, {user_id, now});
  if (!ended.ok()) return StorageError(ended, "delete ended sessions");
  QueryResult others = conn.Exec(kDeleteOtherSessions, {user_id, keep_token_hash});
  if (!others.ok()) return StorageError(others, "revoke other sessions");
  if (ended.Affected() + others.Affected() > 0) {
    if (QueryResult n = NotifyUserChanged(conn, user_id); !n.ok()) {
      return StorageError(n, "notify revoke others");
    }
  }
  if (QueryResult c = tx.Commit(); !c.ok()) return StorageError(c, "commit revoke others");
  return others.Affected();
}

}  // namespace latchkey::store::postgres
