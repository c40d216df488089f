#include "store/postgres/postgres_session_store.h"

#include "store/postgres/query.h"
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
    ", u.username, u.name, u.email, u.email_verified_at"
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
// The credential a login verified is still the user's (InsertSessionIfPassword).
constexpr const char* kLockCredential =
    "SELECT 1 FROM users WHERE id = $1 AND password_hash = $2 AND disabled_at IS NULL FOR SHARE";
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
  s.id = session::SessionId(r.Text(row, 0));
  s.user_id = identity::UserId(r.Int(row, 1));
  s.token_hash = session::TokenHash(r.Text(row, 2));
  s.created_at = FromUnixSeconds(r.Int(row, 3));
  s.last_seen_at = FromUnixSeconds(r.Int(row, 4));
  s.expires_at = FromUnixSeconds(r.Int(row, 5));
  s.user_agent = r.Text(row, 6);
  s.ip = r.Text(row, 7);
  s.idle_timeout = Seconds(r.Int(row, 8));
  s.persistent = r.Bool(row, 9);
  return s;
}

session::ResolvedSession ReadResolved(const QueryResult& r, int row) {
  session::ResolvedSession out;
  out.session = ReadSession(r, row);
  out.user = {out.session.user_id, r.Text(row, 10), r.Text(row, 11),
              r.IsNull(row, 12) ? std::string() : r.Text(row, 12), !r.IsNull(row, 13)};
  return out;
}

// Deletes what `sql` names in one transaction and, when it deleted anything, queues `notify`
// in it: true when something was deleted.
template <typename Notify>
Result<bool> DeleteAndNotify(Pool& pool, const char* what, const char* sql,
                             std::initializer_list<Param> params, Notify notify) {
  return WithConnection(pool, [&](Connection& conn) {
    return InTransaction(conn, what, [&]() -> Result<bool> {
      auto deleted = Run(conn, sql, what, params);
      if (!deleted) return deleted.error();
      if (*deleted == 0) return false;
      if (auto n = notify(conn); !n) return n.error();
      return true;
    });
  });
}

}  // namespace

Result<void> InsertSessionRow(Connection& conn, const session::SessionRecord& s,
                              identity::UserId user_id) {
  QueryResult r =
      conn.Exec(kInsertSession, {s.id, user_id, s.token_hash, s.created_at, s.last_seen_at,
                                 s.expires_at, StorableText(s.user_agent), StorableText(s.ip),
                                 s.idle_timeout, Param::Bool(s.persistent)});
  if (r.sqlstate() == kForeignKeyViolation) {
    return MakeError(Errc::kUnauthenticated);
  }
  if (!r.ok()) return StorageError(r, "insert session");
  return {};
}

namespace {

// InsertSession's body, inside the caller's transaction.
Result<void> RotateIn(Connection& conn, const session::SessionRecord& created,
                      const session::TokenHash* replaced_token_hash) {
  if (replaced_token_hash) {
    auto deleted =
        Run(conn, kDeleteSessionByTokenHash, "delete replaced session", {*replaced_token_hash});
    if (!deleted) return deleted.error();
    if (*deleted > 0) {
      auto n = NotifyTokenChanged(conn, *replaced_token_hash, "notify replaced session");
      if (!n) return n;
    }
  }
  return InsertSessionRow(conn, created, created.user_id);
}

}  // namespace

Result<void> PostgresSessionStore::InsertSession(const session::SessionRecord& created,
                                                 const session::TokenHash* replaced_token_hash) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "session insert", [&]() -> Result<void> {
      return RotateIn(conn, created, replaced_token_hash);
    });
  });
}

Result<bool> PostgresSessionStore::InsertSessionIfPassword(
    const session::SessionRecord& created, const session::TokenHash* replaced_token_hash,
    std::string_view password_hash) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "login session insert", [&]() -> Result<bool> {
      // FOR SHARE: a reset, undo or password change in flight commits first (then the row no
      // longer matches) or waits for this transaction (then its DELETE sees the new session).
      auto current =
          ReadOne(conn, kLockCredential, "credential check",
                  [](const QueryResult&, int) { return true; }, {created.user_id, password_hash});
      if (!current) return current.error();
      if (!*current) return false;
      if (auto r = RotateIn(conn, created, replaced_token_hash); !r) return r.error();
      return true;
    });
  });
}

Result<std::optional<session::ResolvedSession>> PostgresSessionStore::FindSessionByTokenHash(
    const session::TokenHash& token_hash) {
  return WithConnection(pool_, [&](Connection& conn) {
    return ReadOne(conn, kSelectSessionByTokenHash, "session lookup", ReadResolved, {token_hash});
  });
}

Result<std::optional<session::SessionRecord>> PostgresSessionStore::FindSessionById(
    const session::SessionId& id) {
  return WithConnection(pool_, [&](Connection& conn) {
    return ReadOne(conn, kSelectSessionById, "session lookup", ReadSession, {id});
  });
}

Result<bool> PostgresSessionStore::DeleteSessionByTokenHash(const session::TokenHash& token_hash) {
  return DeleteAndNotify(pool_, "session delete", kDeleteSessionByTokenHash, {token_hash},
                         [&](Connection& conn) {
                           return NotifyTokenChanged(conn, token_hash, "notify session delete");
                         });
}

Result<long> PostgresSessionStore::DeleteExpiredSessions(UnixTime now) {
  return WithConnection(pool_, [&](Connection& conn) {
    return Run(conn, kDeleteExpiredSessions, "sweep sessions", {now});
  });
}

Result<void> PostgresSessionStore::TouchSession(const session::TokenHash& token_hash,
                                                UnixTime now) {
  return WithConnection(pool_, [&](Connection& conn) -> Result<void> {
    if (auto r = Run(conn, kTouchSession, "touch session", {token_hash, now}); !r) {
      return r.error();
    }
    return {};
  });
}

Result<void> PostgresSessionStore::TouchSessions(const std::vector<Touch>& touches) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "session touches", [&]() -> Result<void> {
      for (const Touch& t : touches) {
        if (auto r = Run(conn, kTouchSession, "touch sessions", {t.token_hash, t.at}); !r) {
          return r.error();
        }
      }
      return {};
    });
  });
}

Result<std::vector<session::SessionRecord>> PostgresSessionStore::ListSessions(
    identity::UserId user_id, UnixTime now) {
  return WithConnection(pool_, [&](Connection& conn) {
    return ReadAll(conn, kSelectUserSessions, "list sessions", ReadSession, {user_id, now});
  });
}

Result<bool> PostgresSessionStore::DeleteUserSession(identity::UserId user_id,
                                                     const session::SessionId& id) {
  return DeleteAndNotify(
      pool_, "session revoke", kDeleteUserSession, {user_id, id},
      [&](Connection& conn) { return NotifyUserChanged(conn, user_id, "notify session revoke"); });
}

Result<long> PostgresSessionStore::DeleteOtherSessions(identity::UserId user_id,
                                                       const session::TokenHash& keep_token_hash,
                                                       UnixTime now) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "revoke others", [&]() -> Result<long> {
      // Ended sessions first, uncounted: "revoked" counts sessions that were still live.
      auto ended = Run(conn, kDeleteEndedUserSessions, "delete ended sessions", {user_id, now});
      if (!ended) return ended.error();
      auto others =
          Run(conn, kDeleteOtherSessions, "revoke other sessions", {user_id, keep_token_hash});
      if (!others) return others.error();
      if (*ended + *others > 0) {
        if (auto n = NotifyUserChanged(conn, user_id, "notify revoke others"); !n) {
          return n.error();
        }
      }
      return *others;
    });
  });
}

}  // namespace latchkey::store::postgres
