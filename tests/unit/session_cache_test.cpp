#include "session/session_cache.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "crypto/encoding.h"

namespace latchkey::session {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

ResolvedSession Make(std::string token_hash, identity::UserId user_id, std::string name = "n") {
  ResolvedSession s;
  s.session.token_hash = session::TokenHash(std::move(token_hash));
  s.session.user_id = user_id;
  s.session.last_seen_at = FromUnixSeconds(100);
  s.user = {user_id, "user" + std::to_string(user_id.value()), std::move(name)};
  return s;
}

void Put(SessionCache& cache, const ResolvedSession& s) {
  cache.Put(s, cache.Epoch(s.session.token_hash));
}

TEST(SessionCache, ServesWhatWasPut) {
  SessionCache cache(100, seconds(60));
  Put(cache, Make("h1", identity::UserId(1), "Alice"));
  auto hit = cache.Get(session::TokenHash("h1"));
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->user.name, "Alice");
  EXPECT_FALSE(cache.Get(session::TokenHash("h2")));
}

TEST(SessionCache, EvictTokenDropsOnlyThatSession) {
  SessionCache cache(100, seconds(60));
  Put(cache, Make("h1", identity::UserId(1)));
  Put(cache, Make("h2", identity::UserId(1)));
  cache.EvictToken(session::TokenHash("h1"));
  EXPECT_FALSE(cache.Get(session::TokenHash("h1")));
  EXPECT_TRUE(cache.Get(session::TokenHash("h2")));
}

TEST(SessionCache, EvictUserDropsEverySessionOfTheUserInEveryShard) {
  SessionCache cache(1000, seconds(60));
  for (int i = 0; i < 64; ++i) Put(cache, Make("a" + std::to_string(i), identity::UserId(1)));
  Put(cache, Make("b", identity::UserId(2)));
  cache.EvictUser(identity::UserId(1));
  for (int i = 0; i < 64; ++i)
    EXPECT_FALSE(cache.Get(session::TokenHash("a" + std::to_string(i)))) << i;
  EXPECT_TRUE(cache.Get(session::TokenHash("b")));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(SessionCache, ReadThatRacedAnEvictionIsNotCached) {
  SessionCache cache(100, seconds(60));
  auto epoch = cache.Epoch(session::TokenHash("h1"));  // taken before the store read
  cache.EvictToken(session::TokenHash("h1"));          // a logout commits meanwhile
  cache.Put(Make("h1", identity::UserId(1)), epoch);
  EXPECT_FALSE(cache.Get(session::TokenHash("h1")));

  epoch = cache.Epoch(session::TokenHash("h2"));
  cache.EvictUser(identity::UserId(7));  // any user: the epoch of every shard moves
  cache.Put(Make("h2", identity::UserId(1)), epoch);
  EXPECT_FALSE(cache.Get(session::TokenHash("h2")));
}

TEST(SessionCache, CapacityBoundsTheEntries) {
  SessionCache cache(64, seconds(60));
  for (int i = 0; i < 5000; ++i) Put(cache, Make("h" + std::to_string(i), identity::UserId(i)));
  EXPECT_LE(cache.size(), 64u);
  EXPECT_GT(cache.size(), 0u);
  EXPECT_TRUE(cache.Get(session::TokenHash("h4999")));  // the newest stays
}

TEST(SessionCache, EntriesExpireAfterTheTtl) {
  SessionCache cache(100, milliseconds(400));
  Put(cache, Make("h1", identity::UserId(1)));
  EXPECT_TRUE(cache.Get(session::TokenHash("h1")));  // a lifetime is at least half the ttl
  std::this_thread::sleep_for(milliseconds(450));
  EXPECT_FALSE(cache.Get(session::TokenHash("h1")));
}

TEST(SessionCache, RefreshTimesSpreadBetweenHalfAndThreeQuartersOfTheTtl) {
  // Token hashes as the server makes them (SHA-256 hex): refresh times must stay within
  // [ttl/2, 3/4 ttl] and fill it evenly, so that entries cached together are not read together.
  const auto ttl = std::chrono::duration_cast<SessionCache::Clock::duration>(seconds(60));
  std::array<int, 10> deciles{};
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    auto after = SessionCache::RefreshAfter(
        session::TokenHash(crypto::Sha256Hex("token" + std::to_string(i))), ttl);
    ASSERT_GE(after, ttl / 2);
    ASSERT_LE(after, ttl * 3 / 4);
    auto decile = static_cast<std::size_t>((after - ttl / 2) * 10 / (ttl / 4));
    ++deciles[std::min<std::size_t>(decile, 9)];
  }
  for (int count : deciles) {
    EXPECT_GT(count, n / 10 * 8 / 10);
    EXPECT_LT(count, n / 10 * 12 / 10);
  }
}

TEST(SessionCache, AHitPastItsRefreshTimeIsReportedDueOnceAndARenewalExtendsIt) {
  SessionCache cache(100, milliseconds(4000));
  Put(cache, Make("h1", identity::UserId(1)));
  SharedSession first = cache.Get(session::TokenHash("h1"));
  bool due = true;
  EXPECT_TRUE(cache.Get(session::TokenHash("h1"), due));
  EXPECT_FALSE(due);
  std::this_thread::sleep_for(milliseconds(3100));  // past 3/4 of the ttl, before the ttl
  EXPECT_TRUE(cache.Get(session::TokenHash("h1"), due));
  EXPECT_TRUE(due);
  EXPECT_TRUE(cache.Get(session::TokenHash("h1"), due));
  EXPECT_FALSE(due) << "reported once per store read";
  Put(cache, Make("h1", identity::UserId(
                            1)));  // the refresh's read found the same session: renewed in place
  EXPECT_EQ(cache.Get(session::TokenHash("h1"), due), first);
  EXPECT_FALSE(due) << "a renewal starts a new period";
  std::this_thread::sleep_for(milliseconds(1200));  // past the first read's ttl
  EXPECT_EQ(cache.Get(session::TokenHash("h1"), due), first) << "the renewal moved the ttl too";
  EXPECT_FALSE(due);
}

TEST(SessionCache, AReReadThatFoundTheSameSessionRenewsTheCachedObject) {
  SessionCache cache(100, seconds(60));
  Put(cache, Make("h1", identity::UserId(1), "Alice"));
  SharedSession first = cache.Get(session::TokenHash("h1"));
  Put(cache, Make("h1", identity::UserId(1), "Alice"));  // the same row read again
  EXPECT_EQ(cache.Get(session::TokenHash("h1")), first) << "renewed in place, not copied";
  auto later = Make("h1", identity::UserId(1), "Alice");
  later.session.last_seen_at = FromUnixSeconds(200);  // another node's touch reached the store
  Put(cache, later);
  EXPECT_NE(cache.Get(session::TokenHash("h1")), first);
  EXPECT_EQ(cache.Get(session::TokenHash("h1"))->session.last_seen_at, FromUnixSeconds(200));
  Put(cache, Make("h1", identity::UserId(1), "Alicia"));  // renamed behind the cache
  EXPECT_EQ(cache.Get(session::TokenHash("h1"))->user.name, "Alicia");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(SessionCache, NotServingMeansNoHitsAndNoPuts) {
  SessionCache cache(100, seconds(60));
  Put(cache, Make("h1", identity::UserId(1)));
  cache.SetServing(false);
  EXPECT_FALSE(cache.Get(session::TokenHash("h1")));
  Put(cache, Make("h2", identity::UserId(1)));
  cache.SetServing(true);
  EXPECT_FALSE(cache.Get(session::TokenHash("h1")));  // dropped when the feed went down
  EXPECT_FALSE(cache.Get(session::TokenHash("h2")));  // never stored
  Put(cache, Make("h3", identity::UserId(1)));
  EXPECT_TRUE(cache.Get(session::TokenHash("h3")));
}

TEST(SessionCache, ServeUntil_MissesFromTheDeadlineUntilMoved) {
  SessionCache cache(100, seconds(60));
  Put(cache, Make("h1", identity::UserId(1)));
  auto now = SessionCache::Clock::now();
  cache.ServeUntil(now + seconds(3));
  EXPECT_TRUE(cache.Get(session::TokenHash("h1"))) << "within the lease";
  cache.ServeUntil(now);
  EXPECT_FALSE(cache.Get(session::TokenHash("h1"))) << "lapsed: a stalled feed";
  EXPECT_EQ(cache.size(), 1u) << "kept: the feed evicts before it renews";
  cache.ServeUntil(SessionCache::Clock::now() + seconds(3));
  EXPECT_TRUE(cache.Get(session::TokenHash("h1"))) << "renewed";
}

TEST(SessionCache, SetLastSeenOnlyMovesForward) {
  SessionCache cache(100, seconds(60));
  Put(cache, Make("h1", identity::UserId(1)));
  cache.SetLastSeen(session::TokenHash("h1"), FromUnixSeconds(500));
  EXPECT_EQ(cache.Get(session::TokenHash("h1"))->session.last_seen_at, FromUnixSeconds(500));
  cache.SetLastSeen(session::TokenHash("h1"), FromUnixSeconds(300));
  EXPECT_EQ(cache.Get(session::TokenHash("h1"))->session.last_seen_at, FromUnixSeconds(500));
}

TEST(SessionCache, AHitHeldByAReaderNeverChangesUnderIt) {
  SessionCache cache(100, seconds(60));
  Put(cache, Make("h1", identity::UserId(1)));
  SharedSession held =
      cache.Get(session::TokenHash("h1"));  // an I/O thread still answering with it
  ASSERT_TRUE(held);
  cache.SetLastSeen(session::TokenHash("h1"), FromUnixSeconds(500));
  EXPECT_EQ(held->session.last_seen_at, FromUnixSeconds(100))
      << "entries are replaced, not written in place";
  EXPECT_EQ(cache.Get(session::TokenHash("h1"))->session.last_seen_at, FromUnixSeconds(500));
  cache.EvictToken(session::TokenHash("h1"));
  EXPECT_EQ(held->user.name, "n") << "eviction does not free what a reader holds";
}

std::vector<std::string> DigestLikeKeys(int n) {
  const char* hex = "0123456789abcdef";
  std::uint64_t state = 88172645463325252ULL;  // xorshift: deterministic "random" digests
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i) {
    std::string key;
    for (int c = 0; c < 64; ++c) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      key += hex[state & 15];
    }
    keys.push_back(key);
  }
  return keys;
}

TEST(SessionCache, KeyHashSpreadsDigestKeysOverTheShards) {
  // Real keys are SHA-256 hex digests; the shard is the top byte of KeyHash mod 16.
  std::array<int, 16> per_shard{};
  for (const std::string& key : DigestLikeKeys(16 * 256)) {
    ++per_shard[(SessionCache::KeyHash{}(key) >> 56) % 16];
  }
  for (int n : per_shard) {
    EXPECT_GT(n, 256 * 3 / 4);
    EXPECT_LT(n, 256 * 5 / 4);
  }
}

TEST(SessionCache, HoldsExactlyItsCapacityWhateverTheSpread) {
  // A scan over exactly `capacity` sessions must find every one of them on the second pass
  // (a per-shard bound would evict in the shards that got more than their share).
  SessionCache cache(1000, seconds(60));
  auto keys = DigestLikeKeys(1000);
  for (std::size_t i = 0; i < keys.size(); ++i)
    Put(cache, Make(keys[i], identity::UserId(identity::UserId(i + 1))));
  EXPECT_EQ(cache.size(), 1000u);
  int hits = 0;
  for (const std::string& key : keys) hits += cache.Get(session::TokenHash(key)) ? 1 : 0;
  EXPECT_EQ(hits, 1000);
  Put(cache, Make("one-more-session-key-beyond-the-capacity", identity::UserId(5000)));
  EXPECT_LE(cache.size(), 1000u + 1);
  EXPECT_TRUE(cache.Get(session::TokenHash("one-more-session-key-beyond-the-capacity")));
}

TEST(SessionCache, SessionsInUseOutliveUnusedOnesAtEviction) {
  SessionCache cache(256, seconds(60));
  auto keys = DigestLikeKeys(256 + 128);
  for (int i = 0; i < 256; ++i)
    Put(cache, Make(keys[i], identity::UserId(identity::UserId(i + 1))));
  for (int i = 0; i < 128; ++i)
    ASSERT_TRUE(cache.Get(session::TokenHash(keys[i])));  // in use: 0..127
  for (int i = 256; i < 256 + 128; ++i)
    Put(cache, Make(keys[i], identity::UserId(identity::UserId(i + 1))));  // 128 newcomers
  int used_kept = 0;
  int unused_kept = 0;
  for (int i = 0; i < 128; ++i) used_kept += cache.Get(session::TokenHash(keys[i])) ? 1 : 0;
  for (int i = 128; i < 256; ++i) unused_kept += cache.Get(session::TokenHash(keys[i])) ? 1 : 0;
  EXPECT_GT(used_kept, 128 * 3 / 4) << "used sessions get a second chance";
  EXPECT_LT(unused_kept, 128 / 4) << "unused ones go first";
}

TEST(SessionCache, ZeroCapacityDisablesIt) {
  SessionCache cache(0, seconds(60));
  EXPECT_FALSE(cache.enabled());
  Put(cache, Make("h1", identity::UserId(1)));
  EXPECT_FALSE(cache.Get(session::TokenHash("h1")));
}

TEST(SessionCache, ConcurrentUseKeepsItConsistent) {
  SessionCache cache(256, seconds(60));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 5000; ++i) {
        std::string h = "h" + std::to_string((i * 7 + t) % 500);
        Put(cache, Make(h, identity::UserId(identity::UserId(i % 50))));
        (void)cache.Get(session::TokenHash(h));
        if (i % 13 == 0) cache.EvictUser(identity::UserId(identity::UserId(i % 50)));
        if (i % 17 == 0) cache.EvictToken(session::TokenHash(h));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.size(), 256u);
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace latchkey::session
