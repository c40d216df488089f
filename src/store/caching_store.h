// The user and session stores of a Database with a SessionCache in front of session lookups
// (the hot path: every authenticated request). Every write that ends or changes a session
// or its user evicts the cache AFTER it commits, so this process never serves what it just
// changed; other nodes' changes arrive through the Database's change feed
// (SessionChangeSink), within the feed's latency (PostgreSQL LISTEN/NOTIFY: milliseconds;
// SQLite, for other processes such as `latchkey user disable`: a poll every 250 ms).
// While the feed is down, or has not confirmed for kFeedLease (store/feed_nodes.h), the cache
// does not serve.
//
// Reads are not served from the cache here: session/session_resolver.h probes it once per
// request and calls FindSessionByTokenHash only on a miss, which reads the store and caches
// what it read (unless an eviction raced the read: SessionCache::Epoch). A cached session due
// for a refresh is re-read by RefreshSession, off the request path (session/cache_refresher.h).
// Blocking: as the wrapped stores. Thread-safety: safe from many threads.
#pragma once

#include "base/clock.h"
#include "session/session_cache.h"
#include "session/touch_batcher.h"
#include "store/database.h"

namespace latchkey::store {

class CachingStore final : public UserStore,
                           public session::SessionStore,
                           public onetime::TokenStore,
                           public SessionChangeSink {
 public:
  CachingStore(Database& db, session::SessionCache& cache, const Clock& clock);

  // identity::UserStore and session::AccountStore
  Result<identity::User> CreateUserWithSession(const identity::NewUser& user,
                                               const session::SessionRecord& first) override;
  Result<identity::User> CreateUser(const identity::NewUser& user) override;
  Result<std::optional<identity::UserRecord>> FindUserByUsername(
      std::string_view username) override;
  Result<std::optional<identity::UserRecord>> FindUserById(identity::UserId id) override;
  Result<std::optional<identity::UserRecord>> FindUserByVerifiedEmail(
      std::string_view email_key) override;
  Result<bool> DeleteUser(identity::UserId id) override;
  Result<identity::User> UpdateName(identity::UserId id, std::string_view name) override;
  Result<identity::User> RespellEmail(identity::UserId id, std::string_view email) override;
  Result<void> ReplacePassword(identity::UserId id, std::string_view password_hash,
                               const session::SessionRecord& replacement) override;
  Result<bool> ResetPassword(identity::UserId id, std::string_view password_hash) override;
  Result<bool> RehashPassword(identity::UserId id, std::string_view old_hash,
                              std::string_view new_hash) override;
  Result<bool> SetDisabled(identity::UserId id, UnixTime at) override;

  // onetime::TokenStore: every change of a user evicts the user's cached sessions.
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

  // session::SessionStore
  Result<void> InsertSession(const session::SessionRecord& created,
                             const session::TokenHash* replaced_token_hash) override;
  Result<bool> InsertSessionIfPassword(const session::SessionRecord& created,
                                       const session::TokenHash* replaced_token_hash,
                                       std::string_view password_hash) override;
  Result<std::optional<session::ResolvedSession>> FindSessionByTokenHash(
      const session::TokenHash& token_hash) override;
  Result<std::optional<session::SessionRecord>> FindSessionById(
      const session::SessionId& id) override;
  Result<bool> DeleteSessionByTokenHash(const session::TokenHash& token_hash) override;
  Result<long> DeleteExpiredSessions(UnixTime now) override;
  // Written through; the cached copy's last_seen_at follows.
  Result<void> TouchSession(const session::TokenHash& token_hash, UnixTime now) override;
  Result<std::vector<session::SessionRecord>> ListSessions(identity::UserId user_id,
                                                           UnixTime now) override;
  Result<bool> DeleteUserSession(identity::UserId user_id, const session::SessionId& id) override;
  Result<long> DeleteOtherSessions(identity::UserId user_id,
                                   const session::TokenHash& keep_token_hash,
                                   UnixTime now) override;

  // The batcher that holds uses of sessions not written yet (session/session_resolver.h
  // records them): ListSessions and RefreshSession count them. Must outlive its use here.
  void SetTouchBatcher(session::TouchBatcher* batcher) { touches_ = batcher; }

  // Re-reads one session and caches it again (a new ttl), or evicts it when it ended or is
  // gone; a store error leaves the cached copy to its ttl. Blocking: one database read.
  void RefreshSession(const session::TokenHash& token_hash);

  // SessionChangeSink: other nodes' changes.
  void OnFeedUp() override { cache_.SetServing(true); }
  void OnFeedDown() override { cache_.SetServing(false); }
  void OnSessionChanged(const session::TokenHash& token_hash) override {
    cache_.EvictToken(token_hash);
  }
  void OnUserChanged(identity::UserId user_id) override { cache_.EvictUser(user_id); }
  // The lease of store/feed_nodes.h: serve only while the feed keeps confirming.
  void OnFeedConfirmed(std::chrono::steady_clock::time_point as_of) override {
    cache_.ServeUntil(as_of + kFeedLease);
  }

 private:
  UserStore& users_;
  session::SessionStore& sessions_;
  onetime::TokenStore& tokens_;
  session::SessionCache& cache_;
  const Clock& clock_;
  session::TouchBatcher* touches_ = nullptr;
};

}  // namespace latchkey::store
