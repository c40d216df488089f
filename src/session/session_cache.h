// A bounded in-memory cache of resolved sessions, keyed by token hash, so that a session
// check need not read the store. Correctness rules (see store/caching_store.h, which is the
// only writer):
// - Entries are dropped after every change to their session or user (this process's writes
//   at once; other nodes' through the database's change feed), and at most `ttl` after the
//   store read whatever happens (a bound for writers that do not notify).
// - Refresh ahead: from RefreshAfter() on (between ttl/2 and 3/4 ttl, spread by key) the first
//   Get that asks reports the entry due, once; the caller re-reads it off the request path
//   (session/cache_refresher.h) and Puts it again, so a session in use is normally re-read
//   before its ttl rather than missed at it, and sessions cached in the same second (a
//   restart, a warm-up) are not all read again in the same second.
// - A read from the store is cached only if no invalidation of its shard happened since the
//   caller took Epoch() before that read: a read that raced a logout is never cached.
// - While not serving (the change feed is down), Get misses and Put does nothing.
// - Lease: once ServeUntil is called, Get misses from its deadline on, until the next call
//   moves it (the change feed confirms it has delivered every change at least every second;
//   a feed that stalls without failing must not leave stale entries served: see
//   store/feed_nodes.h).
// Memory: about 0.7 KB per entry (strings of the session and its user); capacity bounds it;
// eviction approximates least-recently-used (CLOCK, see Put).
// Thread-safety: safe from many threads (16 shards, one mutex each).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "session/session.h"

namespace latchkey::session {

class SessionCache {
 public:
  using Clock = std::chrono::steady_clock;

  // Keys are token hashes: SHA-256 in hex (64 characters), of tokens only this server issued
  // (a lookup comes after the cookie's MAC was checked), so uniformly distributed and not
  // chosen by a client: two words of the key are as good a hash as any. Keys sit inside the
  // map's slots (an open-addressing boost::unordered_flat_map): a lookup reads one group of
  // metadata and one slot, where std::unordered_map read the bucket, the node before the
  // bucket's first, the node and the key's own string (perf: the lookup was the largest cost
  // of a session check after the cookie's MAC). Keys longer than kMaxKeyBytes are not cached.
  static constexpr std::size_t kMaxKeyBytes = 64;
  struct Key {
    std::uint8_t size = 0;
    std::array<char, kMaxKeyBytes> bytes{};
    std::string_view view() const { return {bytes.data(), size}; }
    bool operator==(const Key& other) const { return view() == other.view(); }
  };
  struct KeyHash {
    std::size_t operator()(std::string_view key) const noexcept;
    std::size_t operator()(const Key& key) const noexcept { return (*this)(key.view()); }
  };

  // capacity: entries in all (0 disables the cache); ttl: the longest an entry is served.
  SessionCache(std::size_t capacity, Clock::duration ttl);
  SessionCache(const SessionCache&) = delete;
  SessionCache& operator=(const SessionCache&) = delete;

  // The invalidation count of token_hash's shard: take it before reading the store.
  std::uint64_t Epoch(const TokenHash& token_hash) const;

  // The cached session, if present, younger than ttl, and the cache is serving; else null.
  SharedSession Get(const TokenHash& token_hash);
  // The same; refresh_due is set to true when this hit is the first since the entry's
  // RefreshAfter() passed (the caller should re-read it and Put it again), else false.
  SharedSession Get(const TokenHash& token_hash, bool& refresh_due);

  // Caches `s` (keyed by s.session.token_hash) unless its shard was invalidated since `epoch`.
  void Put(const ResolvedSession& s, std::uint64_t epoch);

  // Records a touch of a cached session (its last_seen_at), if cached.
  void SetLastSeen(const TokenHash& token_hash, UnixTime last_seen_at);

  void EvictToken(const TokenHash& token_hash);
  void EvictUser(identity::UserId user_id);
  void Clear();

  // Serving on/off (the change feed's state); switching drops everything.
  void SetServing(bool serving);

  // Get misses from `deadline` on (entries stay; a later call may move it). Unbounded until
  // the first call.
  void ServeUntil(Clock::time_point deadline);

  // When, after its store read, the entry of `token_hash` is due for a refresh: between ttl/2
  // and 3/4 ttl, taken from the key's hash (token hashes are uniform, so these are too).
  static Clock::duration RefreshAfter(const TokenHash& token_hash, Clock::duration ttl);

  bool enabled() const { return capacity_ > 0; }
  // Enabled and serving: a Put now may cache.
  bool serving() const { return enabled() && serving_.load(std::memory_order_acquire); }
  std::size_t size() const;

 private:
  struct Entry {
    SharedSession value;            // never null; replaced, not changed, so readers may keep it
    Clock::time_point refresh_at;   // the store read + RefreshAfter()
    Clock::time_point expires_at;   // the store read + ttl: never served after
    std::list<Key>::iterator lru;   // its key in Shard::lru (front: newest)
    bool refresh_reported = false;  // a Get reported it due
    bool referenced = false;        // used since it last came round (CLOCK)
  };
  // Slots move when the map grows, list nodes never: lru holds the keys' stable copies, and
  // by_user points into lru.
  using Map = boost::unordered_flat_map<Key, Entry, KeyHash>;
  struct Shard {
    mutable std::mutex mu;
    Map entries;
    std::list<Key> lru;  // keys of `entries`
    std::unordered_map<identity::UserId, std::vector<const Key*>> by_user;
    std::atomic<std::uint64_t> epoch{0};
  };
  static constexpr std::size_t kShards = 16;

  // The key of token_hash; nullopt when it is too long to be cached.
  static std::optional<Key> KeyOf(std::string_view token_hash);
  Shard& ShardOf(std::string_view token_hash);
  const Shard& ShardOf(std::string_view token_hash) const;
  // Removes `it` from shard (mutex held).
  void Erase(Shard& shard, Map::iterator it);
  void ClearShard(Shard& shard);

  std::size_t capacity_;                 // entries in all shards together
  std::atomic<std::size_t> entries_{0};  // entries now, in all shards
  Clock::duration ttl_;
  std::atomic<bool> serving_{true};
  // ServeUntil's deadline (steady clock ticks since its epoch).
  std::atomic<Clock::rep> serve_until_{Clock::time_point::max().time_since_epoch().count()};
  std::array<Shard, kShards> shards_;
};

}  // namespace latchkey::session
