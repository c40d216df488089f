// CachingStore (session cache in front of the real SQLite store, touches batched) under
// several threads at once (run under ThreadSanitizer by scripts/sanitize.sh thread): session
// lookups racing this node's logouts, other nodes' logouts (change feed events) and the feed
// going down and up never serve a session after its logout returned, and touches recorded
// beside them reach the store.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "session/session_resolver.h"
#include "session/touch_batcher.h"
#include "store/caching_store.h"
#include "store/sqlite/sqlite_database.h"
#include "test_support.h"

namespace latchkey::store {
namespace {

constexpr int kSessions = 48;
constexpr int kReaders = 3;

class CachingStoreConcurrency : public ::testing::Test {
 protected:
  void SetUp() override {
    identity::NewUser user{"alice", "Alice", "$argon2id$x", clock_.Now()};
    auto created = db_.users().CreateUserWithSession(user, Session(Token(0)));
    ASSERT_TRUE(created);
    user_id_ = created->id;
    for (int i = 1; i < kSessions; ++i) {
      ASSERT_TRUE(db_.sessions().InsertSession(Session(Token(i)), nullptr));
    }
  }

  static std::string Token(int i) { return "token-" + std::to_string(i) + "-0123456789abcdef"; }

  session::SessionRecord Session(const std::string& token_hash) {
    session::SessionRecord s;
    s.id = session::SessionId("id-" + token_hash);
    s.user_id = user_id_;
    s.token_hash = session::TokenHash(token_hash);
    s.created_at = s.last_seen_at = clock_.Now();
    s.expires_at = clock_.Now() + 3600;
    s.idle_timeout = 3600;
    return s;
  }

  testing::TempDir dir_;
  FakeClock clock_;
  sqlite::SqliteDatabase db_{(dir_.path() / "latchkey.db").string(), 2};
  session::SessionCache cache_{1000, std::chrono::seconds(60)};
  CachingStore store_{db_, cache_, clock_};
  session::SessionResolver resolver_{store_, cache_, clock_, 1};
  identity::UserId user_id_ = identity::UserId(0);
  std::atomic<int> read_errors_{0};

  void TearDown() override { EXPECT_EQ(read_errors_.load(), 0); }

  // The session as a request sees it (session/session_resolver.h): the cache first, the store
  // (through the caching store, which re-caches what it reads) on a miss; nullopt when it is
  // not live.
  std::optional<session::ResolvedSession> Read(const std::string& token_hash) {
    auto resolved = resolver_.ResolveInMemory(session::TokenHash(token_hash));
    if (!resolved) {
      auto r = resolver_.Resolve(session::TokenHash(token_hash));
      if (!r) {
        read_errors_.fetch_add(1);
        return std::nullopt;
      }
      resolved = std::move(*r);
    }
    if (!resolved->live()) return std::nullopt;
    const session::Principal& p = *resolved->principal;
    return session::ResolvedSession{p.session(), p.user()};
  }
};

TEST_F(CachingStoreConcurrency, LookupsRacingLogoutsNeverServeAnEndedSession) {
  session::TouchBatcher batcher(db_.sessions(), std::chrono::milliseconds(2));
  store_.SetTouchBatcher(&batcher);
  resolver_.SetTouchBatcher(&batcher);
  std::vector<std::atomic<bool>> ended(kSessions);  // the logout has returned
  std::atomic<int> stale{0};
  std::atomic<int> found_live{0};
  std::atomic<int> errors{0};
  std::atomic<bool> done{false};
  std::latch start(kReaders + 2);
  std::vector<std::thread> threads;
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      start.arrive_and_wait();
      for (int round = 0; !done.load() || round < 2; ++round) {
        for (int j = 0; j < kSessions; ++j) {
          int i = (j * 5 + r * 17 + round) % kSessions;
          bool was_ended = ended[i].load();
          if (r == 0 && j == 0) clock_.Advance(1);  // uses due again each round: recorded
          if (!Read(Token(i))) continue;
          if (was_ended) ++stale;
          ++found_live;
        }
      }
    });
  }
  // Ends every session, three ways in turn: this node's logout (store, then cache), another
  // node's (the database, then the change feed's event), and this node's logout while the feed
  // is down.
  threads.emplace_back([&] {
    start.arrive_and_wait();
    for (int i = 0; i < kSessions; ++i) {
      std::this_thread::yield();
      switch (i % 3) {
        case 0:
          if (!store_.DeleteSessionByTokenHash(session::TokenHash(Token(i)))) ++errors;
          break;
        case 1:
          if (!db_.sessions().DeleteSessionByTokenHash(session::TokenHash(Token(i)))) ++errors;
          store_.OnSessionChanged(session::TokenHash(Token(i)));
          break;
        default:
          store_.OnFeedDown();
          if (!store_.DeleteSessionByTokenHash(session::TokenHash(Token(i)))) ++errors;
          store_.OnFeedUp();
      }
      ended[i] = true;
    }
    done = true;
  });
  // Another thread renames the user over and over: user-wide evictions beside the token ones.
  threads.emplace_back([&] {
    start.arrive_and_wait();
    for (int i = 0; !done.load(); ++i) {
      if (!store_.UpdateName(user_id_, "Alice " + std::to_string(i))) ++errors;
    }
  });
  for (auto& t : threads) t.join();
  resolver_.SetTouchBatcher(nullptr);
  store_.SetTouchBatcher(nullptr);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(stale.load(), 0) << "a session was served after its logout returned";
  EXPECT_GT(found_live.load(), 0) << "no lookup found a live session: nothing raced";
  for (int i = 0; i < kSessions; ++i) EXPECT_FALSE(Read(Token(i))) << Token(i);
  EXPECT_EQ(cache_.size(), 0u);
}

TEST_F(CachingStoreConcurrency, ConcurrentTouchesReachTheStoreThroughTheBatcher) {
  session::TouchBatcher batcher(db_.sessions(), std::chrono::milliseconds(2));
  store_.SetTouchBatcher(&batcher);
  resolver_.SetTouchBatcher(&batcher);
  constexpr int kTouchers = 4;
  constexpr int kRounds = 60;
  std::latch start(kTouchers);
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < kTouchers; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int round = 1; round <= kRounds; ++round) {
        for (int i = t; i < kSessions; i += kTouchers / 2) {  // two threads per session
          if (!Read(Token(i))) ++errors;
          // What the resolver does with a due use: recorded in the batcher and the cached copy.
          batcher.Record(session::TokenHash(Token(i)), clock_.Now() + round);
          cache_.SetLastSeen(session::TokenHash(Token(i)), clock_.Now() + round);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(batcher.Flush());
  resolver_.SetTouchBatcher(nullptr);
  store_.SetTouchBatcher(nullptr);
  EXPECT_EQ(errors.load(), 0);
  for (int i = 0; i < kSessions; ++i) {
    auto cached = cache_.Get(session::TokenHash(Token(i)));
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->session.last_seen_at, clock_.Now() + kRounds) << "cache, " << Token(i);
    auto stored = db_.sessions().FindSessionByTokenHash(session::TokenHash(Token(i)));
    ASSERT_TRUE(stored && stored->has_value());
    EXPECT_EQ((*stored)->session.last_seen_at, clock_.Now() + kRounds) << "store, " << Token(i);
  }
}

}  // namespace
}  // namespace latchkey::store
