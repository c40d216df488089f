// Store contract for one-time tokens (onetime/one_time_token.h) and the account changes that
// issue or consume one. Each method is ONE transaction: the token, the change it stands for
// and the mail that carries it (mail/outgoing_mail.h, the outbox) commit together or not at
// all, so no mail is ever queued for a change that did not happen and no change happens
// without its mail. Consuming is one conditional UPDATE (`... SET consumed_at = now WHERE
// token_hash = ? AND purpose = ? AND consumed_at IS NULL AND expires_at > now`): of two
// concurrent uses exactly one succeeds, on every dialect. Implementations: store/sqlite,
// store/postgres, and store/caching_store in front of either (evicting the user's cached
// sessions after every change of the user).
// Blocking: call from a worker pool. Errors: kStorageUnavailable when the database fails;
// kUnauthenticated when the user no longer exists (where a method names the user).
// Thread-safety: implementations are safe to call from many threads at once.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "base/errc.h"
#include "identity/user.h"
#include "mail/outgoing_mail.h"
#include "onetime/one_time_token.h"
#include "session/session.h"

namespace latchkey::onetime {

using Mails = std::vector<mail::OutgoingMail>;

class TokenStore {
 public:
  virtual ~TokenStore() = default;

  // Inserts `token`, deleting every earlier token of its (user, purpose) (a new request
  // replaces the earlier: its link and code stop working), and queues `mails`. Undo tokens
  // are never replaced: each restores its own address, and a later change (by whoever took
  // the account) must not spend the link mailed to the owner's address.
  virtual Result<void> IssueToken(const TokenRecord& token, const Mails& mails, UnixTime now) = 0;

  // The token with this hash when usable at `now` (not consumed, not expired), else nullopt.
  virtual Result<std::optional<TokenRecord>> FindUsableToken(std::string_view token_hash,
                                                             UnixTime now) = 0;

  // The usable token of (user, purpose) at `now` (at most one), else nullopt.
  virtual Result<std::optional<TokenRecord>> FindUsableTokenOf(identity::UserId user,
                                                               Purpose purpose, UnixTime now) = 0;

  // Counts one wrong code against the token (code_attempts + 1, one UPDATE); the new count.
  // 0 when the token is gone.
  virtual Result<int> CountCodeFailure(std::int64_t token_id) = 0;

  // Deletes the tokens consumed, or expired, before `cutoff` (the sweep, app/session_sweeper.h):
  // how many. A usable token is never deleted, whatever its age.
  virtual Result<long> DeleteSpentTokensBefore(UnixTime cutoff) = 0;

  // The conditional UPDATE alone: true when THIS call consumed the usable token.
  virtual Result<bool> ConsumeToken(std::string_view token_hash, Purpose purpose, UnixTime now) = 0;

  // A new user (signup, `latchkey user add --email`) with its address unverified, its verify
  // token and mail, and its first session when `first_session` is not null. token.user_id,
  // each mail's user id and first_session->user_id are set to the new user's id.
  // Errors: kUsernameTaken (field "username").
  virtual Result<identity::User> CreateUserWithToken(const identity::NewUser& user,
                                                     const session::SessionRecord* first_session,
                                                     TokenRecord token, Mails mails,
                                                     UnixTime now) = 0;

  // Sets the user's address (unverified; empty: none) and its key, deletes the user's verify
  // and recovery tokens (both were mailed to the replaced address), inserts `tokens` (an undo
  // token kept beside the earlier ones, see IssueToken) and queues `mails`. Returns the
  // updated user.
  virtual Result<identity::User> ChangeEmail(identity::UserId user, std::string_view email,
                                             const std::vector<TokenRecord>& tokens,
                                             const Mails& mails, UnixTime now) = 0;

  // Consumes a verify token and marks the address verified, when the user's address key is
  // still the token's data (a token for an earlier address verifies nothing). nullopt when
  // nothing was usable. Errors: kEmailTaken (field "email") when another account verified
  // the address first (the unique index: never a 500).
  virtual Result<std::optional<identity::User>> VerifyEmail(std::string_view token_hash,
                                                            UnixTime now) = 0;

  // Consumes an undo token: the address in its data is set back, verified at `now`, the
  // password made unusable (identity::kUnusablePasswordHash: whoever changed the address may
  // know it; the owner sets a new one by recovery to the restored address), EVERY
  // session of the user is deleted (whoever changed the address may hold one) and so is
  // every other usable token of the user, of every purpose (a recovery token mailed to the
  // attacker's address), except the undo tokens minted BEFORE this one (they restore an
  // earlier address: the owner's link survives an attacker's undo of his own later change).
  // nullopt when nothing was usable. Errors: kEmailTaken.
  virtual Result<std::optional<identity::User>> UndoEmailChange(std::string_view token_hash,
                                                                UnixTime now) = 0;

  // Consumes the recovery token of `user`, sets the password hash, deletes EVERY session of
  // the user, and queues `mails` (the notice). Errors: kInvalidToken (nothing written) when
  // the token was not usable (used, expired, replaced, or another user's).
  virtual Result<void> ResetPasswordWithToken(std::string_view token_hash, identity::UserId user,
                                              std::string_view password_hash, const Mails& mails,
                                              UnixTime now) = 0;
};

}  // namespace latchkey::onetime
