#include "store/sqlite/sqlite_session_store.h"

#include "store/sqlite/query.h"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kInsertSession =
    "INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at,"
    " user_agent, ip, idle_timeout, persistent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
// Column order shared by every session SELECT: see ReadSession.
#define LATCHKEY_SESSION_COLUMNS                                                             \
  "s.id, s.user_id, s.token_hash, s.created_at, s.last_seen_at, s.expires_at, s.user_agent," \
  " s.ip, s.idle_timeout, s.persistent"
constexpr const char* kSelectSessionByTokenHash =
    "SELECT " LATCHKEY_SESSION_COLUMNS
    ", u.username, u.name, u.email, u.email_verified_at"
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
// The credential a login verified is still the user's (InsertSessionIfPassword).
constexpr const char* kSelectCredential =
    "SELECT 1 FROM users WHERE id = ?1 AND password_hash = ?2 AND disabled_at IS NULL";
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

session::SessionRecord ReadSession(const Query& row) {
  session::SessionRecord s;
  s.id = session::SessionId(row.Text(0));
  s.user_id = identity::UserId(row.Int(1));
  s.token_hash = session::TokenHash(row.Text(2));
  s.created_at = FromUnixSeconds(row.Int(3));
  s.last_seen_at = FromUnixSeconds(row.Int(4));
  s.expires_at = FromUnixSeconds(row.Int(5));
  s.user_agent = row.Text(6);
  s.ip = row.Text(7);
  s.idle_timeout = Seconds(row.Int(8));
  s.persistent = row.Int(9) != 0;
  return s;
}

session::ResolvedSession ReadResolved(const Query& row) {
  session::ResolvedSession out;
  out.session = ReadSession(row);
  out.user = {out.session.user_id, row.Text(10), row.Text(11), row.Text(12), !row.IsNull(13)};
  return out;
}

}  // namespace

Result<void> InsertSessionRow(Connection& conn, const session::SessionRecord& s,
                              identity::UserId user_id) {
  auto inserted =
      Query(conn, kInsertSession, "insert session", s.id, user_id, s.token_hash, s.created_at,
            s.last_seen_at, s.expires_at, s.user_agent, s.ip, s.idle_timeout, s.persistent)
          .RunOr(SQLITE_CONSTRAINT_FOREIGNKEY, MakeError(Errc::kUnauthenticated));
  if (!inserted) return inserted.error();
  return {};
}

namespace {

// InsertSession's body, inside the caller's transaction.
Result<void> RotateIn(Connection& conn, const session::SessionRecord& created,
                      const session::TokenHash* replaced_token_hash) {
  if (replaced_token_hash) {
    auto deleted =
        Run(conn, kDeleteSessionByTokenHash, "delete replaced session", *replaced_token_hash);
    if (!deleted) return deleted.error();
  }
  return InsertSessionRow(conn, created, created.user_id);
}

}  // namespace

Result<void> SqliteSessionStore::InsertSession(const session::SessionRecord& created,
                                               const session::TokenHash* replaced_token_hash) {
  auto conn = pool_.Acquire();
  return InTransaction(*conn, "session insert", [&]() -> Result<void> {
    return RotateIn(*conn, created, replaced_token_hash);
  });
}

Result<bool> SqliteSessionStore::InsertSessionIfPassword(
    const session::SessionRecord& created, const session::TokenHash* replaced_token_hash,
    std::string_view password_hash) {
  auto conn = pool_.Acquire();
  // BEGIN IMMEDIATE: no other writer between the check and the insert.
  return InTransaction(*conn, "login session insert", [&]() -> Result<bool> {
    auto current = ReadOne(
        *conn, kSelectCredential, "credential check", [](const Query&) { return true; },
        created.user_id, password_hash);
    if (!current) return current.error();
    if (!*current) return false;
    if (auto r = RotateIn(*conn, created, replaced_token_hash); !r) return r.error();
    return true;
  });
}

Result<std::optional<session::ResolvedSession>> SqliteSessionStore::FindSessionByTokenHash(
    const session::TokenHash& token_hash) {
  auto conn = pool_.Acquire();
  return ReadOne(*conn, kSelectSessionByTokenHash, "session lookup", ReadResolved, token_hash);
}

Result<std::optional<session::SessionRecord>> SqliteSessionStore::FindSessionById(
    const session::SessionId& id) {
  auto conn = pool_.Acquire();
  return ReadOne(*conn, kSelectSessionById, "session lookup", ReadSession, id);
}

Result<bool> SqliteSessionStore::DeleteSessionByTokenHash(const session::TokenHash& token_hash) {
  auto conn = pool_.Acquire();
  auto deleted = Run(*conn, kDeleteSessionByTokenHash, "delete session", token_hash);
  if (!deleted) return deleted.error();
  return *deleted > 0;
}

Result<long> SqliteSessionStore::DeleteExpiredSessions(UnixTime now) {
  auto conn = pool_.Acquire();
  return Run(*conn, kDeleteExpiredSessions, "sweep sessions", now);
}

Result<void> SqliteSessionStore::TouchSession(const session::TokenHash& token_hash, UnixTime now) {
  auto conn = pool_.Acquire();
  if (auto r = Run(*conn, kTouchSession, "touch session", token_hash, now); !r) return r.error();
  return {};
}

Result<void> SqliteSessionStore::TouchSessions(const std::vector<Touch>& touches) {
  auto conn = pool_.Acquire();
  return InTransaction(*conn, "session touches", [&]() -> Result<void> {
    for (const Touch& t : touches) {
      if (auto r = Run(*conn, kTouchSession, "touch sessions", t.token_hash, t.at); !r) {
        return r.error();
      }
    }
    return {};
  });
}

Result<std::vector<session::SessionRecord>> SqliteSessionStore::ListSessions(
    identity::UserId user_id, UnixTime now) {
  auto conn = pool_.Acquire();
  return ReadAll(*conn, kSelectUserSessions, "list sessions", ReadSession, user_id, now);
}

Result<bool> SqliteSessionStore::DeleteUserSession(identity::UserId user_id,
                                                   const session::SessionId& id) {
  auto conn = pool_.Acquire();
  auto deleted = Run(*conn, kDeleteUserSession, "revoke session", user_id, id);
  if (!deleted) return deleted.error();
  return *deleted > 0;
}

Result<long> SqliteSessionStore::DeleteOtherSessions(identity::UserId user_id,
                                                     const session::TokenHash& keep_token_hash,
                                                     UnixTime now) {
  auto conn = pool_.Acquire();
  return InTransaction(*conn, "revoke others", [&]() -> Result<long> {
    // Ended sessions first, uncounted: "revoked" counts sessions that were still live.
    auto ended = Run(*conn, kDeleteEndedUserSessions, "delete ended sessions", user_id, now);
    if (!ended) return ended.error();
    return Run(*conn, kDeleteOtherSessions, "revoke other sessions", user_id, keep_token_hash);
  });
}

}  // namespace latchkey::store::sqlite
