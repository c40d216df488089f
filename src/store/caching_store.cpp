#include "store/caching_store.h"

#include <algorithm>

namespace latchkey::store {

CachingStore::CachingStore(Database& db, session::SessionCache& cache, const Clock& clock)
    : users_(db.users()),
      sessions_(db.sessions()),
      tokens_(db.tokens()),
      cache_(cache),
      clock_(clock) {}

Result<identity::User> CachingStore::CreateUserWithSession(const identity::NewUser& user,
                                                           const session::SessionRecord& first) {
  return users_.CreateUserWithSession(user, first);
}

Result<identity::User> CachingStore::CreateUser(const identity::NewUser& user) {
  return users_.CreateUser(user);
}

Result<std::optional<identity::UserRecord>> CachingStore::FindUserByUsername(
    std::string_view username) {
  return users_.FindUserByUsername(username);
}

Result<std::optional<identity::UserRecord>> CachingStore::FindUserById(identity::UserId id) {
  return users_.FindUserById(id);
}

Result<std::optional<identity::UserRecord>> CachingStore::FindUserByVerifiedEmail(
    std::string_view email_key) {
  return users_.FindUserByVerifiedEmail(email_key);
}

Result<bool> CachingStore::DeleteUser(identity::UserId id) {
  auto r = users_.DeleteUser(id);
  cache_.EvictUser(id);
  return r;
}

Result<identity::User> CachingStore::UpdateName(identity::UserId id, std::string_view name) {
  auto r = users_.UpdateName(id, name);
  cache_.EvictUser(id);
  return r;
}

Result<identity::User> CachingStore::RespellEmail(identity::UserId id, std::string_view email) {
  auto r = users_.RespellEmail(id, email);
  cache_.EvictUser(id);
  return r;
}

Result<void> CachingStore::ReplacePassword(identity::UserId id, std::string_view password_hash,
                                           const session::SessionRecord& replacement) {
  auto r = users_.ReplacePassword(id, password_hash, replacement);
  cache_.EvictUser(id);
  return r;
}

Result<bool> CachingStore::ResetPassword(identity::UserId id, std::string_view password_hash) {
  auto r = users_.ResetPassword(id, password_hash);
  cache_.EvictUser(id);
  return r;
}

// Nothing to evict: the cache holds sessions and their users, never a password hash.
Result<bool> CachingStore::RehashPassword(identity::UserId id, std::string_view old_hash,
                                          std::string_view new_hash) {
  return users_.RehashPassword(id, old_hash, new_hash);
}

Result<bool> CachingStore::SetDisabled(identity::UserId id, UnixTime at) {
  auto r = users_.SetDisabled(id, at);
  cache_.EvictUser(id);
  return r;
}

Result<void> CachingStore::InsertSession(const session::SessionRecord& created,
                                         const session::TokenHash* replaced_token_hash) {
  auto r = sessions_.InsertSession(created, replaced_token_hash);
  if (replaced_token_hash) cache_.EvictToken(*replaced_token_hash);
  return r;
}

Result<bool> CachingStore::InsertSessionIfPassword(const session::SessionRecord& created,
                                                   const session::TokenHash* replaced_token_hash,
                                                   std::string_view password_hash) {
  auto r = sessions_.InsertSessionIfPassword(created, replaced_token_hash, password_hash);
  if (replaced_token_hash && r && *r) cache_.EvictToken(*replaced_token_hash);
  return r;
}

Result<std::optional<session::ResolvedSession>> CachingStore::FindSessionByTokenHash(
    const session::TokenHash& token_hash) {
  UnixTime now = clock_.Now();
  std::uint64_t epoch = cache_.Epoch(token_hash);
  auto found = sessions_.FindSessionByTokenHash(token_hash);
  if (found && *found && session::EffectiveExpiry((*found)->session) > now) {
    cache_.Put(**found, epoch);
  }
  return found;
}

void CachingStore::RefreshSession(const session::TokenHash& token_hash) {
  if (!cache_.serving()) return;  // a Put would not cache the read (feed down, cache off)
  std::uint64_t epoch = cache_.Epoch(token_hash);
  auto found = sessions_.FindSessionByTokenHash(token_hash);
  if (!found) return;  // the cached copy stays until its ttl
  if (!*found) {
    cache_.EvictToken(token_hash);
    return;
  }
  // This node's latest use may not be written yet (batched touches): the session ends from
  // the later of the two, as ListSessions and the cached copy count it.
  const session::SessionRecord& read = (*found)->session;
  UnixTime last_seen = read.last_seen_at;
  if (touches_ != nullptr) {
    if (auto pending = touches_->Pending(token_hash)) last_seen = std::max(last_seen, *pending);
  }
  if (session::EffectiveExpiry(read, last_seen) > clock_.Now()) {
    cache_.Put(**found, epoch);
  } else {
    cache_.EvictToken(token_hash);
  }
}

Result<std::optional<session::SessionRecord>> CachingStore::FindSessionById(
    const session::SessionId& id) {
  return sessions_.FindSessionById(id);
}

Result<bool> CachingStore::DeleteSessionByTokenHash(const session::TokenHash& token_hash) {
  auto r = sessions_.DeleteSessionByTokenHash(token_hash);
  cache_.EvictToken(token_hash);
  return r;
}

Result<long> CachingStore::DeleteExpiredSessions(UnixTime now) {
  // Cached entries carry their own expiry: an ended one is never served (see Find).
  return sessions_.DeleteExpiredSessions(now);
}

Result<void> CachingStore::TouchSession(const session::TokenHash& token_hash, UnixTime now) {
  auto r = sessions_.TouchSession(token_hash, now);
  if (r) cache_.SetLastSeen(token_hash, now);
  return r;
}

Result<std::vector<session::SessionRecord>> CachingStore::ListSessions(identity::UserId user_id,
                                                                       UnixTime now) {
  auto listed = sessions_.ListSessions(user_id, now);
  // Touches not written yet: this node's callers see their own uses at once.
  if (listed && touches_ != nullptr) {
    for (session::SessionRecord& s : *listed) {
      if (auto at = touches_->Pending(s.token_hash)) {
        s.last_seen_at = std::max(s.last_seen_at, *at);
      }
    }
  }
  return listed;
}

Result<bool> CachingStore::DeleteUserSession(identity::UserId user_id,
                                             const session::SessionId& id) {
  auto r = sessions_.DeleteUserSession(user_id, id);
  cache_.EvictUser(user_id);
  return r;
}

Result<long> CachingStore::DeleteOtherSessions(identity::UserId user_id,
                                               const session::TokenHash& keep_token_hash,
                                               UnixTime now) {
  auto r = sessions_.DeleteOtherSessions(user_id, keep_token_hash, now);
  cache_.EvictUser(user_id);
  return r;
}

}  // namespace latchkey::store
