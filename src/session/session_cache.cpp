#include "session/session_cache.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace latchkey::session {

SessionCache::SessionCache(std::size_t capacity, Clock::duration ttl)
    : capacity_(capacity), ttl_(ttl) {}

std::size_t SessionCache::KeyHash::operator()(std::string_view key) const noexcept {
  if (key.size() < 16) return std::hash<std::string_view>{}(key);
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  std::memcpy(&a, key.data(), sizeof a);
  std::memcpy(&b, key.data() + 8, sizeof b);
  return static_cast<std::size_t>(a ^ (b * 0x9E3779B97F4A7C15ULL));
}

std::optional<SessionCache::Key> SessionCache::KeyOf(std::string_view token_hash) {
  if (token_hash.size() > kMaxKeyBytes) return std::nullopt;
  Key key;
  key.size = static_cast<std::uint8_t>(token_hash.size());
  std::copy(token_hash.begin(), token_hash.end(), key.bytes.begin());
  return key;
}

SessionCache::Clock::duration SessionCache::RefreshAfter(const TokenHash& token_hash,
                                                         Clock::duration ttl) {
  // Bits 16-31 of the hash: the shard uses the top bits, the flat map mixes the whole hash.
  auto spread = static_cast<Clock::rep>((KeyHash{}(token_hash.value()) >> 16) & 0xFFFF);
  return ttl / 2 + (ttl / 4) * spread / 0x10000;
}

namespace {

// True when `a` and `b` differ at most in last_seen_at (every other field of SessionRecord and
// User compared). A re-read that finds this renews the cached entry instead of replacing it.
bool SameButLastSeen(const ResolvedSession& a, const ResolvedSession& b) {
  const SessionRecord& x = a.session;
  const SessionRecord& y = b.session;
  return x.id == y.id && x.user_id == y.user_id && x.token_hash == y.token_hash &&
         x.created_at == y.created_at && x.expires_at == y.expires_at &&
         x.user_agent == y.user_agent && x.ip == y.ip && x.idle_timeout == y.idle_timeout &&
         x.persistent == y.persistent && a.user.id == b.user.id &&
         a.user.username == b.user.username && a.user.name == b.user.name;
}

}  // namespace

// The shard comes from the hash's top bits; the flat map mixes the whole hash (multiply and
// fold) before taking its own bits: close enough to independent.
static std::size_t ShardIndex(std::string_view token_hash, std::size_t shards) {
  return (SessionCache::KeyHash{}(token_hash) >> 56) % shards;
}

SessionCache::Shard& SessionCache::ShardOf(std::string_view token_hash) {
  return shards_[ShardIndex(token_hash, kShards)];
}

const SessionCache::Shard& SessionCache::ShardOf(std::string_view token_hash) const {
  return shards_[ShardIndex(token_hash, kShards)];
}

std::uint64_t SessionCache::Epoch(const TokenHash& token_hash) const {
  return ShardOf(token_hash.value()).epoch.load(std::memory_order_acquire);
}

SharedSession SessionCache::Get(const TokenHash& token_hash) {
  bool refresh_due = false;
  return Get(token_hash, refresh_due);
}

SharedSession SessionCache::Get(const TokenHash& token_hash, bool& refresh_due) {
  refresh_due = false;
  if (!enabled() || !serving_.load(std::memory_order_acquire)) return nullptr;
  auto key = KeyOf(token_hash.value());
  if (!key) return nullptr;
  Shard& shard = ShardOf(token_hash.value());
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(*key);
  if (it == shard.entries.end()) return nullptr;
  Entry& entry = it->second;
  auto now = Clock::now();
  if (now.time_since_epoch().count() >= serve_until_.load(std::memory_order_acquire)) {
    return nullptr;
  }
  if (now > entry.expires_at) {
    Erase(shard, it);
    return nullptr;
  }
  if (now > entry.refresh_at && !entry.refresh_reported) {
    entry.refresh_reported = true;
    refresh_due = true;
  }
  entry.referenced = true;  // second chance at eviction; no list work on the hot path
  return entry.value;
}

void SessionCache::Put(const ResolvedSession& s, std::uint64_t epoch) {
  if (!enabled() || !serving_.load(std::memory_order_acquire)) return;
  auto key = KeyOf(s.session.token_hash.value());
  if (!key) return;
  Shard& shard = ShardOf(s.session.token_hash.value());
  std::lock_guard lock(shard.mu);
  // Checked under the mutex: evictions bump the epoch under it too, so no eviction can fall
  // between this check and the insert.
  if (shard.epoch.load(std::memory_order_relaxed) != epoch) return;
  auto now = Clock::now();
  if (auto old = shard.entries.find(*key); old != shard.entries.end()) {
    // A re-read (a refresh, or a miss on a copy that looked ended) that found what is cached:
    // a new period for the same object, no allocation. The cached last_seen_at stays unless
    // the store's is later.
    if (SameButLastSeen(*old->second.value, s) &&
        old->second.value->session.last_seen_at >= s.session.last_seen_at) {
      old->second.refresh_at = now + RefreshAfter(s.session.token_hash, ttl_);
      old->second.expires_at = now + ttl_;
      old->second.refresh_reported = false;
      return;
    }
    Erase(shard, old);
  }
  // The bound is global, not per shard: the cache holds `capacity` sessions however the keys
  // fall over the shards (a per-shard bound evicts early in the fuller shards, and a cyclic
  // scan over exactly `capacity` sessions would then miss on every request there). The
  // victim is chosen in this shard by CLOCK (second chance): the oldest entry not used since
  // it last came round; a used one goes back to the front instead. Hits then only set a flag
  // (no list splice on every session check), and the choice stays close to LRU. Each pass
  // clears the flags it skips, so the loop ends within one round of the shard. Overshoot: at
  // most one entry per shard, when a shard with nothing to evict inserts.
  while (entries_.load(std::memory_order_relaxed) >= capacity_ && !shard.lru.empty()) {
    auto oldest = shard.entries.find(shard.lru.back());
    if (oldest->second.referenced) {
      oldest->second.referenced = false;
      shard.lru.splice(shard.lru.begin(), shard.lru, oldest->second.lru);
      continue;
    }
    Erase(shard, oldest);
  }
  shard.lru.push_front(*key);
  shard.entries.emplace(*key, Entry{std::make_shared<const ResolvedSession>(s),
                                    now + RefreshAfter(s.session.token_hash, ttl_), now + ttl_,
                                    shard.lru.begin(), false, false});
  shard.by_user[s.user.id].push_back(&shard.lru.front());
  entries_.fetch_add(1, std::memory_order_relaxed);
}

void SessionCache::SetLastSeen(const TokenHash& token_hash, UnixTime last_seen_at) {
  auto key = KeyOf(token_hash.value());
  if (!enabled() || !key) return;
  Shard& shard = ShardOf(token_hash.value());
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(*key);
  if (it != shard.entries.end() && it->second.value->session.last_seen_at < last_seen_at) {
    auto touched = std::make_shared<ResolvedSession>(*it->second.value);  // readers keep theirs
    touched->session.last_seen_at = last_seen_at;
    it->second.value = std::move(touched);
  }
}

void SessionCache::EvictToken(const TokenHash& token_hash) {
  if (!enabled()) return;
  Shard& shard = ShardOf(token_hash.value());
  std::lock_guard lock(shard.mu);
  shard.epoch.fetch_add(1, std::memory_order_release);
  auto key = KeyOf(token_hash.value());
  if (!key) return;
  auto it = shard.entries.find(*key);
  if (it != shard.entries.end()) Erase(shard, it);
}

void SessionCache::EvictUser(identity::UserId user_id) {
  if (!enabled()) return;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    shard.epoch.fetch_add(1, std::memory_order_release);
    auto users = shard.by_user.find(user_id);
    if (users == shard.by_user.end()) continue;
    std::vector<Key> keys;
    for (const Key* key : users->second) keys.push_back(*key);
    for (const Key& key : keys) {
      auto it = shard.entries.find(key);
      if (it != shard.entries.end()) Erase(shard, it);
    }
  }
}

void SessionCache::Clear() {
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    ClearShard(shard);
  }
}

void SessionCache::ServeUntil(Clock::time_point deadline) {
  serve_until_.store(deadline.time_since_epoch().count(), std::memory_order_release);
}

void SessionCache::SetServing(bool serving) {
  serving_.store(serving, std::memory_order_release);
  Clear();
}

std::size_t SessionCache::size() const {
  std::size_t n = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.entries.size();
  }
  return n;
}

void SessionCache::Erase(Shard& shard, Map::iterator it) {
  entries_.fetch_sub(1, std::memory_order_relaxed);
  auto users = shard.by_user.find(it->second.value->user.id);
  if (users != shard.by_user.end()) {
    auto& keys = users->second;
    keys.erase(std::remove(keys.begin(), keys.end(), &*it->second.lru), keys.end());
    if (keys.empty()) shard.by_user.erase(users);
  }
  shard.lru.erase(it->second.lru);
  shard.entries.erase(it);
}

void SessionCache::ClearShard(Shard& shard) {
  shard.epoch.fetch_add(1, std::memory_order_release);
  entries_.fetch_sub(shard.entries.size(), std::memory_order_relaxed);
  shard.entries.clear();
  shard.lru.clear();
  shard.by_user.clear();
}

}  // namespace latchkey::session
