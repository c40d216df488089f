// CachingStore's onetime::TokenStore half (store/caching_store.h): written through, and every
// change of a user (its address, its verified state, its password and sessions) evicts the
// user's cached sessions AFTER the commit, so this process never serves the user as it was.
#include "store/caching_store.h"

namespace latchkey::store {

Result<void> CachingStore::IssueToken(const onetime::TokenRecord& token,
                                      const onetime::Mails& mails, UnixTime now) {
  return tokens_.IssueToken(token, mails, now);
}

Result<std::optional<onetime::TokenRecord>> CachingStore::FindUsableToken(
    std::string_view token_hash, UnixTime now) {
  return tokens_.FindUsableToken(token_hash, now);
}

Result<std::optional<onetime::TokenRecord>> CachingStore::FindUsableTokenOf(
    identity::UserId user, onetime::Purpose purpose, UnixTime now) {
  return tokens_.FindUsableTokenOf(user, purpose, now);
}

Result<int> CachingStore::CountCodeFailure(std::int64_t token_id) {
  return tokens_.CountCodeFailure(token_id);
}

Result<long> CachingStore::DeleteSpentTokensBefore(UnixTime cutoff) {
  return tokens_.DeleteSpentTokensBefore(cutoff);  // no user changes: nothing cached to evict
}

Result<bool> CachingStore::ConsumeToken(std::string_view token_hash, onetime::Purpose purpose,
                                        UnixTime now) {
  return tokens_.ConsumeToken(token_hash, purpose, now);
}

Result<identity::User> CachingStore::CreateUserWithToken(
    const identity::NewUser& user, const session::SessionRecord* first_session,
    onetime::TokenRecord token, onetime::Mails mails, UnixTime now) {
  return tokens_.CreateUserWithToken(user, first_session, std::move(token), std::move(mails), now);
}

Result<identity::User> CachingStore::ChangeEmail(identity::UserId user, std::string_view email,
                                                 const std::vector<onetime::TokenRecord>& tokens,
                                                 const onetime::Mails& mails, UnixTime now) {
  auto r = tokens_.ChangeEmail(user, email, tokens, mails, now);
  cache_.EvictUser(user);
  return r;
}

Result<std::optional<identity::User>> CachingStore::VerifyEmail(std::string_view token_hash,
                                                                UnixTime now) {
  auto r = tokens_.VerifyEmail(token_hash, now);
  if (r && *r) cache_.EvictUser((*r)->id);
  return r;
}

Result<std::optional<identity::User>> CachingStore::UndoEmailChange(std::string_view token_hash,
                                                                    UnixTime now) {
  auto r = tokens_.UndoEmailChange(token_hash, now);
  if (r && *r) cache_.EvictUser((*r)->id);
  return r;
}

Result<void> CachingStore::ResetPasswordWithToken(std::string_view token_hash,
                                                  identity::UserId user,
                                                  std::string_view password_hash,
                                                  const onetime::Mails& mails, UnixTime now) {
  auto r = tokens_.ResetPasswordWithToken(token_hash, user, password_hash, mails, now);
  cache_.EvictUser(user);
  return r;
}

}  // namespace latchkey::store
