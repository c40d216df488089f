// SessionCache under several threads at once (run under ThreadSanitizer by
// scripts/sanitize.sh thread): a store read that raced a logout is never served after the
// logout returned, the global entry count stays exact through concurrent churn, and
// SetLastSeen races keep the latest use while readers' copies never change under them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "session/session_cache.h"

namespace latchkey::session {
namespace {

using std::chrono::seconds;

ResolvedSession Make(const std::string& token_hash, identity::UserId user_id) {
  ResolvedSession s;
  s.session.token_hash = session::TokenHash(token_hash);
  s.session.user_id = user_id;
  s.session.last_seen_at = 100;
  s.user = {user_id, "user" + std::to_string(user_id.value()), "name"};
  return s;
}

std::string Key(int i) { return "key-" + std::to_string(i) + "-0123456789abcdef"; }

// What a store holds about each session in these tests: deleted (the logout committed) and
// evicted (the logout's EvictToken/EvictUser returned, so the caller has its answer).
struct FakeStore {
  explicit FakeStore(int n) : deleted(n), evicted(n) {}
  std::vector<std::atomic<bool>> deleted;
  std::vector<std::atomic<bool>> evicted;
};

// Readers follow CachingStore's protocol (Epoch, read the store, Put with that epoch) while one
// thread logs sessions out (store first, then evict). Once a logout has returned, no reader may
// get that session from the cache, however the reads interleaved with it.
void RaceReadsAgainstLogouts(bool by_user) {
  constexpr int kKeys = 96;
  constexpr int kSessionsPerUser = 8;
  constexpr int kReaders = 3;
  SessionCache cache(1000, seconds(60));
  FakeStore store(kKeys);
  std::atomic<int> stale{0};
  std::atomic<int> live_hits{0};
  std::atomic<bool> done{false};
  std::latch start(kReaders + 1);
  std::vector<std::thread> threads;
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      start.arrive_and_wait();
      for (int round = 0; !done.load() || round < 3; ++round) {
        for (int j = 0; j < kKeys; ++j) {
          int i = (j * 7 + r * 31 + round) % kKeys;
          const std::string key = Key(i);
          bool was_evicted = store.evicted[i].load();
          if (auto hit = cache.Get(session::TokenHash(key))) {
            if (was_evicted) ++stale;
            if (!store.deleted[i].load()) ++live_hits;
            continue;
          }
          std::uint64_t epoch = cache.Epoch(session::TokenHash(key));
          if (store.deleted[i].load()) continue;  // the store read finds nothing: nothing cached
          // A store read takes a while: long enough, now and then, for a logout to commit and
          // evict before this reader caches what it read.
          if ((j + round) % 4 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
          cache.Put(Make(key, identity::UserId(identity::UserId(i / kSessionsPerUser))), epoch);
        }
      }
    });
  }
  threads.emplace_back([&] {
    start.arrive_and_wait();
    for (int i = 0; i < kKeys; i += by_user ? kSessionsPerUser : 1) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      if (by_user) {  // e.g. a password change: every session of the user ends
        for (int k = i; k < i + kSessionsPerUser; ++k) store.deleted[k] = true;
        cache.EvictUser(identity::UserId(identity::UserId(i / kSessionsPerUser)));
        for (int k = i; k < i + kSessionsPerUser; ++k) store.evicted[k] = true;
      } else {
        store.deleted[i] = true;
        cache.EvictToken(session::TokenHash(Key(i)));
        store.evicted[i] = true;
      }
    }
    done = true;
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(stale.load(), 0) << "a session was served after its logout returned";
  EXPECT_GT(live_hits.load(), 0) << "the readers never hit: the race was not exercised";
  for (int i = 0; i < kKeys; ++i) EXPECT_FALSE(cache.Get(session::TokenHash(Key(i)))) << Key(i);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(SessionCacheConcurrency, ReadsRacingTokenLogoutsAreNeverServedAfterIt) {
  RaceReadsAgainstLogouts(/*by_user=*/false);
}

TEST(SessionCacheConcurrency, ReadsRacingUserWideLogoutsAreNeverServedAfterIt) {
  RaceReadsAgainstLogouts(/*by_user=*/true);
}

TEST(SessionCacheConcurrency, EntryCountStaysExactThroughChurn) {
  constexpr std::size_t kCapacity = 128;
  constexpr int kThreads = 4;
  SessionCache cache(kCapacity, seconds(60));
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < 3000; ++i) {
        std::string key = Key((i * 13 + t * 101) % 400);
        cache.Put(Make(key, identity::UserId(identity::UserId(i % 40))),
                  cache.Epoch(session::TokenHash(key)));
        (void)cache.Get(session::TokenHash(Key((i * 5 + t) % 400)));
        if (i % 11 == 0) cache.EvictToken(session::TokenHash(Key((i * 3 + t) % 400)));
        if (i % 97 == 0) cache.EvictUser(identity::UserId(identity::UserId(i % 40)));
        if (i % 53 == 0) cache.SetLastSeen(session::TokenHash(key), 100 + i);
      }
    });
  }
  for (auto& th : threads) th.join();
  // Concurrent inserts into different shards may each see room: at most one per thread and
  // one per shard (see SessionCache::Put) beyond the capacity.
  EXPECT_LE(cache.size(), kCapacity + 16 + kThreads);
  std::size_t hits = 0;
  for (int i = 0; i < 400; ++i) hits += cache.Get(session::TokenHash(Key(i))) ? 1 : 0;
  EXPECT_EQ(hits, cache.size()) << "every counted entry is servable";

  // The global count (which drives eviction) must have come back to exactly zero: a drifted
  // count would evict early (count too high) or let the cache grow (too low).
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
  for (std::size_t i = 0; i < kCapacity; ++i) {
    std::string key = "fresh-" + std::to_string(i) + "-0123456789abcdef";
    cache.Put(Make(key, identity::UserId(1)), cache.Epoch(session::TokenHash(key)));
  }
  EXPECT_EQ(cache.size(), kCapacity) << "nothing evicted below the capacity";
  for (std::size_t i = 0; i < 64; ++i) {
    std::string key = "extra-" + std::to_string(i) + "-0123456789abcdef";
    cache.Put(Make(key, identity::UserId(1)), cache.Epoch(session::TokenHash(key)));
  }
  EXPECT_LE(cache.size(), kCapacity + 1) << "sequential inserts evict at the capacity";
}

TEST(SessionCacheConcurrency, RacingTouchesKeepTheLatestAndReadersSeeNoChange) {
  SessionCache cache(100, seconds(60));
  const std::string key = Key(1);
  cache.Put(Make(key, identity::UserId(1)), cache.Epoch(session::TokenHash(key)));
  SharedSession held = cache.Get(session::TokenHash(key));
  ASSERT_TRUE(held);
  constexpr int kWriters = 3;
  constexpr int kTouches = 2000;
  std::atomic<int> went_backwards{0};
  std::atomic<bool> writing{true};
  std::latch start(kWriters + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kTouches; ++i)
        cache.SetLastSeen(session::TokenHash(key), 1000 + i * kWriters + t);
    });
  }
  std::thread reader([&] {
    start.arrive_and_wait();
    UnixSeconds last = 0;
    while (writing.load()) {
      SharedSession s = cache.Get(session::TokenHash(key));
      ASSERT_TRUE(s);
      if (s->session.last_seen_at < last) ++went_backwards;
      last = s->session.last_seen_at;
    }
  });
  for (auto& t : threads) t.join();
  writing = false;
  reader.join();
  EXPECT_EQ(went_backwards.load(), 0) << "last_seen_at only moves forward";
  EXPECT_EQ(cache.Get(session::TokenHash(key))->session.last_seen_at,
            1000 + (kTouches - 1) * kWriters + kWriters - 1);
  EXPECT_EQ(held->session.last_seen_at, 100) << "a reader's copy is never written in place";
}

}  // namespace
}  // namespace latchkey::session
