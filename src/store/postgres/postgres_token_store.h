// The PostgreSQL implementation of onetime::TokenStore: every method one transaction (READ
// COMMITTED: a second consume of one token waits for the first's row lock, then finds
// consumed_at set and changes nothing). Every change of a user is announced to the nodes'
// session caches (NotifyUserChanged) in the same transaction.
// Blocking: call from a worker pool. Thread-safety: safe from many threads; each call leases
// one pooled connection.
#pragma once

#include "onetime/token_store.h"
#include "store/postgres/pool.h"

namespace latchkey::store::postgres {

class PostgresTokenStore final : public onetime::TokenStore {
 public:
  explicit PostgresTokenStore(Pool& pool) : pool_(pool) {}

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
  Pool& pool_;
};

}  // namespace latchkey::store::postgres
