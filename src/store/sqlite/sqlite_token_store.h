// The SQLite implementation of onetime::TokenStore on SqliteDatabase's connection pool: every
// method one BEGIN IMMEDIATE transaction (the token, the change of the user and the outbox
// rows together). A change of a user's address is announced to other processes' session
// caches through session_changes (change_poller.h) in the same transaction; deleted sessions
// and a new password hash are announced by migration 4's triggers.
// Blocking: call from a worker pool. Thread-safety: safe from many threads; each call leases
// one pooled connection.
#pragma once

#include "onetime/token_store.h"
#include "store/sqlite/connection.h"

namespace latchkey::store::sqlite {

class SqliteTokenStore final : public onetime::TokenStore {
 public:
  explicit SqliteTokenStore(ConnectionPool& pool) : pool_(pool) {}

  Result<void> IssueToken(const onetime::TokenRecord& token, const onetime::Mails& mails,
                          UnixTime now) override;
  Result<std::optional<onetime::TokenRecord>> FindUsableToken(std::string_view token_hash,
                                                              UnixTime now) override;
  Result<std::optional<onetime::TokenRecord>> FindUsableTokenOf(identity::UserId user,
                                                                onetime::Purpose purpose,
                                                                UnixTime now) override;
  Result<int> CountCodeFailure(std::int64_t token_id) override;
  Result<long> DeleteSpentTokensBefore(UnixTime cutoff) override;
  Result<bool> ConsumeToken(std::string_view token_hash, onetime::Purpose purpose,
                            UnixTime now) override;
  Result<identity::User> CreateUserWithToken(const identity::NewUser& user,
                                             const session::SessionRecord* first_session,
                                             onetime::TokenRecord token, onetime::Mails mails,
                                             UnixTime now) override;
  Result<identity::User> ChangeEmail(identity::UserId user, std::string_view email,
                                     const std::vector<onetime::TokenRecord>& tokens,
                                     const onetime::Mails& mails, UnixTime now) override;
  Result<std::optional<identity::User>> VerifyEmail(std::string_view token_hash,
                                                    UnixTime now) override;
  Result<std::optional<identity::User>> UndoEmailChange(std::string_view token_hash,
                                                        UnixTime now) override;
  Result<void> ResetPasswordWithToken(std::string_view token_hash, identity::UserId user,
                                      std::string_view password_hash, const onetime::Mails& mails,
                                      UnixTime now) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace latchkey::store::sqlite
