#include "store/postgres/postgres_token_store.h"

#include "identity/email.h"
#include "mail/outgoing_mail.h"
#include "store/postgres/outgoing_mail_insert.h"
#include "store/postgres/postgres_session_store.h"
#include "store/postgres/postgres_user_store.h"
#include "store/postgres/query.h"
#include "store/postgres/session_notify.h"

namespace latchkey::store::postgres {
namespace {

using onetime::Purpose;
using onetime::TokenRecord;

#define LATCHKEY_TOKEN_COLUMNS \
  "id, user_id, purpose, token_hash, code_hash, data, created_at, expires_at, code_attempts"
constexpr const char* kDeleteTokensOf =
    "DELETE FROM one_time_tokens WHERE user_id = $1 AND purpose = $2";
// After an undo: every other usable token of the user, except the undo tokens minted before
// the one used (each restores an address the account had earlier, so the one who held the
// address before the attacker's first change can still undo after an attacker's undo).
constexpr const char* kDeleteAfterUndo =
    "DELETE FROM one_time_tokens WHERE user_id = $1 AND consumed_at IS NULL"
    " AND NOT (purpose = $2 AND id < $3)";
// Serializes the token writes of one user (IssueToken's delete-then-insert): without the row
// lock, two concurrent requests could each delete, then each insert (two live tokens).
constexpr const char* kLockUser = "SELECT id FROM users WHERE id = $1 FOR UPDATE";
constexpr const char* kInsertToken =
    "INSERT INTO one_time_tokens (user_id, purpose, token_hash, code_hash, data, created_at,"
    " expires_at, code_attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, 0)";
constexpr const char* kSelectUsable = "SELECT " LATCHKEY_TOKEN_COLUMNS
                                      " FROM one_time_tokens WHERE token_hash = $1"
                                      " AND consumed_at IS NULL AND expires_at > $2";
constexpr const char* kSelectUsableOf =
    "SELECT " LATCHKEY_TOKEN_COLUMNS
    " FROM one_time_tokens WHERE user_id = $1 AND purpose = $2"
    " AND consumed_at IS NULL AND expires_at > $3 ORDER BY id DESC LIMIT 1";
#undef LATCHKEY_TOKEN_COLUMNS
constexpr const char* kCountCodeFailure =
    "UPDATE one_time_tokens SET code_attempts = code_attempts + 1 WHERE id = $1"
    " RETURNING code_attempts";
// The one conditional UPDATE that makes a token single use (onetime/token_store.h).
constexpr const char* kDeleteSpent =
    "DELETE FROM one_time_tokens WHERE expires_at < $1 OR consumed_at < $1";
constexpr const char* kConsume =
    "UPDATE one_time_tokens SET consumed_at = $3 WHERE token_hash = $1 AND purpose = $2"
    " AND consumed_at IS NULL AND expires_at > $3 RETURNING user_id, data, id";
constexpr const char* kSetEmail =
    "UPDATE users SET email = $2, email_key = $3, email_verified_at = NULL WHERE id = $1";
constexpr const char* kMarkVerified =
    "UPDATE users SET email_verified_at = $3 WHERE id = $1 AND email_key = $2";
constexpr const char* kRestoreEmail =
    "UPDATE users SET email = $2, email_key = $3, email_verified_at = $4 WHERE id = $1";
constexpr const char* kSetPassword = "UPDATE users SET password_hash = $2 WHERE id = $1";
constexpr const char* kDeleteUserSessions = "DELETE FROM sessions WHERE user_id = $1";
constexpr const char* kSelectUser = "SELECT " LATCHKEY_PG_USER_COLUMNS " FROM users WHERE id = $1";

TokenRecord ReadToken(const QueryResult& r, int row) {
  TokenRecord t;
  t.id = r.Int(row, 0);
  t.user_id = identity::UserId(r.Int(row, 1));
  t.purpose = onetime::PurposeNamed(r.Text(row, 2)).value_or(Purpose::kRecovery);
  t.token_hash = r.Text(row, 3);
  t.code_hash = r.Text(row, 4);
  t.data = r.Text(row, 5);
  t.created_at = FromUnixSeconds(r.Int(row, 6));
  t.expires_at = FromUnixSeconds(r.Int(row, 7));
  t.code_attempts = static_cast<int>(r.Int(row, 8));
  return t;
}

struct Consumed {
  identity::UserId user_id;
  std::string data;
  std::int64_t id = 0;
};

Result<std::optional<Consumed>> Consume(Connection& conn, std::string_view token_hash,
                                        Purpose purpose, UnixTime now) {
  return ReadOne(conn, kConsume, "consume token",
                 [](const QueryResult& r, int row) {
                   return Consumed{identity::UserId(r.Int(row, 0)), r.Text(row, 1), r.Int(row, 2)};
                 },
                 {token_hash, onetime::PurposeName(purpose), now});
}

// Replaces the earlier token of the same (user, purpose) with `token`; undo tokens are never
// replaced (each restores its own address: a later change must not spend the victim's).
// Locks the user's row first (kLockUser), held to the end of the caller's transaction.
Result<void> InsertToken(Connection& conn, const TokenRecord& t) {
  std::string_view purpose = onetime::PurposeName(t.purpose);
  if (auto r = Run(conn, kLockUser, "lock user", {t.user_id}); !r) return r.error();
  if (t.purpose != Purpose::kUndoEmailChange) {
    if (auto r = Run(conn, kDeleteTokensOf, "delete tokens", {t.user_id, purpose}); !r) {
      return r.error();
    }
  }
  QueryResult r = conn.Exec(kInsertToken, {t.user_id, purpose, t.token_hash, t.code_hash, t.data,
                                           t.created_at, t.expires_at});
  if (r.sqlstate() == kForeignKeyViolation) return MakeError(Errc::kUnauthenticated);
  if (!r.ok()) return StorageError(r, "insert token");
  return {};
}

Result<void> QueueMails(Connection& conn, const onetime::Mails& mails, UnixTime now) {
  for (const mail::OutgoingMail& m : mails) {
    if (auto r = InsertOutgoingMail(conn, m, now); !r) return r.error();
  }
  return {};
}

Result<identity::User> ReadUser(Connection& conn, identity::UserId id) {
  auto found = ReadOne(conn, kSelectUser, "user lookup", ReadUserRow, {id});
  if (!found) return found.error();
  if (!*found) return MakeError(Errc::kUnauthenticated);
  return (*found)->user;
}

// An UPDATE of users that may meet the unique index of verified addresses: kEmailTaken then.
Result<long> RunEmailUpdate(Connection& conn, const char* sql, const char* what,
                            std::initializer_list<Param> params) {
  QueryResult r = conn.Exec(sql, params);
  if (r.sqlstate() == kUniqueViolation) return MakeError(Errc::kEmailTaken, {}, "email");
  if (!r.ok()) return StorageError(r, what);
  return r.Affected();
}

}  // namespace

Result<void> PostgresTokenStore::IssueToken(const TokenRecord& token, const onetime::Mails& mails,
                                            UnixTime now) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "issue token", [&]() -> Result<void> {
      if (auto r = InsertToken(conn, token); !r) return r.error();
      return QueueMails(conn, mails, now);
    });
  });
}

Result<std::optional<TokenRecord>> PostgresTokenStore::FindUsableToken(std::string_view token_hash,
                                                                       UnixTime now) {
  return WithConnection(pool_, [&](Connection& conn) {
    return ReadOne(conn, kSelectUsable, "token lookup", ReadToken, {token_hash, now});
  });
}

Result<std::optional<TokenRecord>> PostgresTokenStore::FindUsableTokenOf(identity::UserId user,
                                                                         Purpose purpose,
                                                                         UnixTime now) {
  return WithConnection(pool_, [&](Connection& conn) {
    return ReadOne(conn, kSelectUsableOf, "token lookup", ReadToken,
                   {user, onetime::PurposeName(purpose), now});
  });
}

Result<int> PostgresTokenStore::CountCodeFailure(std::int64_t token_id) {
  return WithConnection(pool_, [&](Connection& conn) -> Result<int> {
    auto count = ReadOne(
        conn, kCountCodeFailure, "count code failure",
        [](const QueryResult& r, int row) { return static_cast<int>(r.Int(row, 0)); }, {token_id});
    if (!count) return count.error();
    return count->value_or(0);
  });
}

Result<long> PostgresTokenStore::DeleteSpentTokensBefore(UnixTime cutoff) {
  return WithConnection(pool_, [&](Connection& conn) {
    return Run(conn, kDeleteSpent, "delete spent tokens", {cutoff});
  });
}

Result<bool> PostgresTokenStore::ConsumeToken(std::string_view token_hash, Purpose purpose,
                                              UnixTime now) {
  return WithConnection(pool_, [&](Connection& conn) -> Result<bool> {
    auto consumed = Consume(conn, token_hash, purpose, now);
    if (!consumed) return consumed.error();
    return consumed->has_value();
  });
}

Result<identity::User> PostgresTokenStore::CreateUserWithToken(
    const identity::NewUser& user, const session::SessionRecord* first_session, TokenRecord token,
    onetime::Mails mails, UnixTime now) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "signup with email", [&]() -> Result<identity::User> {
      auto created = InsertUser(conn, user);
      if (!created) return created;
      if (first_session != nullptr) {
        if (auto r = InsertSessionRow(conn, *first_session, created->id); !r) return r.error();
      }
      token.user_id = created->id;
      if (auto r = InsertToken(conn, token); !r) return r.error();
      for (mail::OutgoingMail& m : mails) m.user_id = created->id.value();
      if (auto r = QueueMails(conn, mails, now); !r) return r.error();
      return created;
    });
  });
}

Result<identity::User> PostgresTokenStore::ChangeEmail(identity::UserId user,
                                                       std::string_view email,
                                                       const std::vector<TokenRecord>& tokens,
                                                       const onetime::Mails& mails, UnixTime now) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "email change", [&]() -> Result<identity::User> {
      auto updated =
          Run(conn, kSetEmail, "set email", {user, EmailParam(email), EmailKeyParam(email)});
      if (!updated) return updated.error();
      if (*updated == 0) return MakeError(Errc::kUnauthenticated);
      // The verification of the replaced address, and recovery tokens mailed to it.
      for (Purpose p : {Purpose::kVerifyEmail, Purpose::kRecovery}) {
        if (auto r = Run(conn, kDeleteTokensOf, "delete tokens", {user, onetime::PurposeName(p)});
            !r) {
          return r.error();
        }
      }
      for (const TokenRecord& t : tokens) {
        if (auto r = InsertToken(conn, t); !r) return r.error();
      }
      if (auto r = QueueMails(conn, mails, now); !r) return r.error();
      if (auto n = NotifyUserChanged(conn, user, "notify email change"); !n) return n.error();
      return ReadUser(conn, user);
    });
  });
}

Result<std::optional<identity::User>> PostgresTokenStore::VerifyEmail(std::string_view token_hash,
                                                                      UnixTime now) {
  using Out = Result<std::optional<identity::User>>;
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "verify email", [&]() -> Out {
      auto consumed = Consume(conn, token_hash, Purpose::kVerifyEmail, now);
      if (!consumed) return consumed.error();
      if (!*consumed) return std::optional<identity::User>();
      const Consumed& c = **consumed;
      auto marked = RunEmailUpdate(conn, kMarkVerified, "mark verified", {c.user_id, c.data, now});
      if (!marked) return marked.error();
      // The address changed since the mail: the (now spent) token proves nothing.
      if (*marked == 0) return std::optional<identity::User>();
      if (auto n = NotifyUserChanged(conn, c.user_id, "notify email verified"); !n) {
        return n.error();
      }
      auto read = ReadUser(conn, c.user_id);
      if (!read) return read.error();
      return std::optional<identity::User>(std::move(*read));
    });
  });
}

Result<std::optional<identity::User>> PostgresTokenStore::UndoEmailChange(
    std::string_view token_hash, UnixTime now) {
  using Out = Result<std::optional<identity::User>>;
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "undo email change", [&]() -> Out {
      auto consumed = Consume(conn, token_hash, Purpose::kUndoEmailChange, now);
      if (!consumed) return consumed.error();
      if (!*consumed) return std::optional<identity::User>();
      const Consumed& c = **consumed;
      auto restored = RunEmailUpdate(conn, kRestoreEmail, "restore email",
                                     {c.user_id, EmailParam(c.data), EmailKeyParam(c.data), now});
      if (!restored) return restored.error();
      // Whoever changed the address may know the password: the owner sets a new one by
      // recovery.
      if (auto r = Run(conn, kSetPassword, "unusable password",
                       {c.user_id, identity::kUnusablePasswordHash});
          !r) {
        return r.error();
      }
      if (auto r = Run(conn, kDeleteAfterUndo, "delete tokens",
                       {c.user_id, onetime::PurposeName(Purpose::kUndoEmailChange), c.id});
          !r) {
        return r.error();
      }
      if (auto r = Run(conn, kDeleteUserSessions, "delete sessions", {c.user_id}); !r) {
        return r.error();
      }
      if (auto n = NotifyUserChanged(conn, c.user_id, "notify email undo"); !n) return n.error();
      auto read = ReadUser(conn, c.user_id);
      if (!read) return read.error();
      return std::optional<identity::User>(std::move(*read));
    });
  });
}

Result<void> PostgresTokenStore::ResetPasswordWithToken(std::string_view token_hash,
                                                        identity::UserId user,
                                                        std::string_view password_hash,
                                                        const onetime::Mails& mails, UnixTime now) {
  return WithConnection(pool_, [&](Connection& conn) {
    return InTransaction(conn, "password recovery", [&]() -> Result<void> {
      auto consumed = Consume(conn, token_hash, Purpose::kRecovery, now);
      if (!consumed) return consumed.error();
      // Not usable, or another user's: nothing is written (the rollback keeps another user's
      // token as it was).
      if (!*consumed || (*consumed)->user_id != user) return MakeError(Errc::kInvalidToken);
      auto updated = Run(conn, kSetPassword, "set password", {user, password_hash});
      if (!updated) return updated.error();
      if (*updated == 0) return MakeError(Errc::kUnauthenticated);
      if (auto r = Run(conn, kDeleteUserSessions, "delete sessions", {user}); !r) {
        return r.error();
      }
      if (auto n = NotifyUserChanged(conn, user, "notify password recovery"); !n) {
        return n.error();
      }
      return QueueMails(conn, mails, now);
    });
  });
}

}  // namespace latchkey::store::postgres
