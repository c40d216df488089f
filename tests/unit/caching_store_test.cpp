// The session cache in front of the real SQLite store, read as requests read it
// (session/session_resolver.h over store/caching_store.h): what this process writes is never
// served stale, other nodes' changes arrive through the SessionChangeSink, and a cached copy
// that looks ended is re-read before anyone acts on it.
#include "store/caching_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "session/session_resolver.h"
#include "store/sqlite/sqlite_database.h"
#include "test_support.h"

namespace latchkey::store {
namespace {

class CachingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity::NewUser user{"alice", "Alice", "$argon2id$x", clock_.Now()};
    auto created = db_.users().CreateUserWithSession(user, Session("t1"));
    ASSERT_TRUE(created);
    user_id_ = created->id;
    ASSERT_TRUE(db_.sessions().InsertSession(Session("t2"), nullptr));
  }

  session::SessionRecord Session(const std::string& token_hash) {
    session::SessionRecord s;
    s.id = session::SessionId("id-" + token_hash);
    s.user_id = user_id_;
    s.token_hash = session::TokenHash(token_hash);
    s.created_at = s.last_seen_at = clock_.Now();
    s.expires_at = clock_.Now() + Seconds(3600);
    s.idle_timeout = Seconds(600);
    return s;
  }

  // The session as a request sees it (session/session_resolver.h): the cache first, the store
  // (through the caching store, which re-caches what it reads) on a miss; nullopt when it is
  // not live.
  std::optional<session::ResolvedSession> Read(const std::string& token_hash) {
    auto resolved = resolver_.ResolveInMemory(session::TokenHash(token_hash));
    if (!resolved) {
      auto r = resolver_.Resolve(session::TokenHash(token_hash));
      if (!r) {
        ++read_errors_;
        return std::nullopt;
      }
      resolved = std::move(*r);
    }
    if (!resolved->live()) return std::nullopt;
    const session::Principal& p = *resolved->principal;
    return session::ResolvedSession{p.session(), p.user()};
  }

  bool Found(const std::string& token_hash) { return Read(token_hash).has_value(); }

  testing::TempDir dir_;
  FakeClock clock_;
  sqlite::SqliteDatabase db_{(dir_.path() / "latchkey.db").string(), 2};
  session::SessionCache cache_{1000, std::chrono::seconds(60)};
  CachingStore store_{db_, cache_, clock_};
  session::SessionResolver resolver_{store_, cache_, clock_, Seconds(60)};
  identity::UserId user_id_ = identity::UserId(0);
  int read_errors_ = 0;

  void TearDown() override { EXPECT_EQ(read_errors_, 0); }
};

TEST_F(CachingStoreTest, SecondLookupIsServedFromMemory) {
  ASSERT_TRUE(Found("t1"));
  // Deleted behind the cache's back (as another node would): still served from memory...
  ASSERT_TRUE(db_.sessions().DeleteSessionByTokenHash(session::TokenHash("t1")));
  EXPECT_TRUE(Found("t1"));
  // ...until the change feed says so.
  store_.OnSessionChanged(session::TokenHash("t1"));
  EXPECT_FALSE(Found("t1"));
}

TEST_F(CachingStoreTest, UserChangeFromAnotherNodeEvictsAllItsSessions) {
  ASSERT_TRUE(Found("t1"));
  ASSERT_TRUE(Found("t2"));
  ASSERT_TRUE(db_.users().DeleteUser(user_id_));
  store_.OnUserChanged(user_id_);
  EXPECT_FALSE(Found("t1"));
  EXPECT_FALSE(Found("t2"));
}

TEST_F(CachingStoreTest, OwnLogoutIsNeverServedStale) {
  ASSERT_TRUE(Found("t1"));
  ASSERT_TRUE(store_.DeleteSessionByTokenHash(session::TokenHash("t1")));
  EXPECT_FALSE(Found("t1"));
  EXPECT_TRUE(Found("t2"));
}

TEST_F(CachingStoreTest, OwnRotationEvictsTheReplacedSession) {
  ASSERT_TRUE(Found("t1"));
  const session::TokenHash replaced("t1");
  ASSERT_TRUE(store_.InsertSession(Session("t3"), &replaced));
  EXPECT_FALSE(Found("t1"));
  EXPECT_TRUE(Found("t3"));
}

TEST_F(CachingStoreTest, OwnRevokesAndPasswordChangeEvict) {
  ASSERT_TRUE(Found("t1"));
  ASSERT_TRUE(Found("t2"));
  auto revoked = store_.DeleteUserSession(user_id_, session::SessionId("id-t2"));
  ASSERT_TRUE(revoked);
  EXPECT_TRUE(*revoked);
  EXPECT_FALSE(Found("t2"));
  ASSERT_TRUE(store_.ReplacePassword(user_id_, "$argon2id$y", Session("t4")));
  EXPECT_FALSE(Found("t1"));
  EXPECT_TRUE(Found("t4"));
}

TEST_F(CachingStoreTest, OwnRenameIsSeenAtOnce) {
  ASSERT_TRUE(Found("t1"));
  ASSERT_TRUE(store_.UpdateName(user_id_, "Alicia"));
  auto r = Read("t1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->user.name, "Alicia");
}

TEST_F(CachingStoreTest, CachedCopyThatLooksIdleIsReadAgain) {
  ASSERT_TRUE(Found("t1"));  // cached with last_seen_at = start
  clock_.Advance(Seconds(500));
  // Another node saw the session at start+500 (the store knows; our cached copy does not).
  ASSERT_TRUE(db_.sessions().TouchSession(session::TokenHash("t1"), clock_.Now()));
  clock_.Advance(Seconds(200));  // cached copy: idle for 700 s > 600; the store: 200 s
  EXPECT_FALSE(resolver_.ResolveInMemory(session::TokenHash("t1")))
      << "looks ended: the store decides";
  auto r = Read("t1");
  ASSERT_TRUE(r) << "live by the store's copy";
  EXPECT_GE(r->session.last_seen_at, clock_.Now() - Seconds(200));
}

TEST_F(CachingStoreTest, FeedDownStopsServingFromMemory) {
  ASSERT_TRUE(Found("t1"));
  store_.OnFeedDown();
  ASSERT_TRUE(db_.sessions().DeleteSessionByTokenHash(session::TokenHash("t1")));
  EXPECT_FALSE(Found("t1"));  // read from the store, not the cache
  ASSERT_TRUE(Found("t2"));
  store_.OnFeedUp();
  ASSERT_TRUE(Found("t2"));
  EXPECT_EQ(cache_.size(), 1u);
}

TEST_F(CachingStoreTest, FeedThatStopsConfirming_StopsServingFromMemoryAfterTheLease) {
  auto now = std::chrono::steady_clock::now();
  store_.OnFeedConfirmed(now);
  ASSERT_TRUE(Found("t1"));
  // Deleted behind the cache's back, and the feed stalls without failing.
  ASSERT_TRUE(db_.sessions().DeleteSessionByTokenHash(session::TokenHash("t1")));
  EXPECT_TRUE(Found("t1")) << "within the lease, as any change not delivered yet";
  store_.OnFeedConfirmed(now - kFeedLease);  // the last confirmation is a lease old
  EXPECT_FALSE(Found("t1")) << "read from the store, not the cache";
  EXPECT_TRUE(Found("t2"));
}

TEST_F(CachingStoreTest, TouchUpdatesTheCachedCopy) {
  ASSERT_TRUE(Found("t1"));
  clock_.Advance(Seconds(100));
  ASSERT_TRUE(store_.TouchSession(session::TokenHash("t1"), clock_.Now()));
  ASSERT_TRUE(db_.sessions().DeleteSessionByTokenHash(
      session::TokenHash("t1")));  // prove the next read is cached
  auto r = Read("t1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->session.last_seen_at, clock_.Now());
}

TEST_F(CachingStoreTest, RefreshRereadsWhatChangedBehindTheCache) {
  ASSERT_TRUE(Found("t1"));
  ASSERT_TRUE(Found("t2"));
  // Changed behind the cache's back, with no notification (a writer that does not notify).
  ASSERT_TRUE(db_.users().UpdateName(user_id_, "Alicia"));
  ASSERT_TRUE(db_.sessions().DeleteSessionByTokenHash(session::TokenHash("t2")));
  store_.RefreshSession(session::TokenHash("t1"));
  store_.RefreshSession(session::TokenHash("t2"));
  ASSERT_TRUE(db_.sessions().DeleteSessionByTokenHash(
      session::TokenHash("t1")));  // prove t1 is served from memory
  auto r = Read("t1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->user.name, "Alicia");
  EXPECT_FALSE(Found("t2"));  // gone from the store: evicted, not kept to its ttl
  EXPECT_EQ(cache_.size(), 1u);
}

TEST_F(CachingStoreTest, RefreshCountsThisNodesTouchNotWrittenYet) {
  session::TouchBatcher batcher(db_.sessions(), std::chrono::hours(1));  // never flushes here
  store_.SetTouchBatcher(&batcher);
  ASSERT_TRUE(Found("t1"));
  clock_.Advance(Seconds(500));
  batcher.Record(session::TokenHash("t1"),
                 clock_.Now());  // pending in the batcher only, as the resolver does it
  clock_.Advance(
      Seconds(200));  // the store's copy: idle 700 s > 600; with the pending touch: 200 s
  store_.RefreshSession(session::TokenHash("t1"));
  EXPECT_TRUE(cache_.Get(session::TokenHash("t1"))) << "not evicted as ended";
  store_.SetTouchBatcher(nullptr);
}

TEST_F(CachingStoreTest, ASessionDueForARefreshIsHandedToTheRefresher) {
  session::SessionCache cache(100, std::chrono::milliseconds(4000));
  CachingStore store(db_, cache, clock_);
  session::SessionResolver resolver(store, cache, clock_, Seconds(60));
  std::vector<std::string> requested;
  session::CacheRefresher refresher(
      [&](const session::TokenHash& h) { requested.push_back(h.value()); }, std::chrono::hours(1),
      100);  // run by hand below
  resolver.SetRefresher(&refresher);
  EXPECT_FALSE(resolver.ResolveInMemory(session::TokenHash("t1")));
  ASSERT_TRUE(resolver.Resolve(session::TokenHash("t1")));
  EXPECT_TRUE(resolver.ResolveInMemory(session::TokenHash("t1")));
  EXPECT_EQ(refresher.pending(), 0u);  // fresh
  // Past its refresh time (at most 3/4 of the ttl), still before the ttl.
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  EXPECT_TRUE(resolver.ResolveInMemory(session::TokenHash("t1")));
  EXPECT_TRUE(resolver.ResolveInMemory(session::TokenHash("t1")));  // reported once, not twice
  EXPECT_EQ(refresher.RunPending(), 1u);
  EXPECT_EQ(requested, std::vector<std::string>{"t1"});
}

}  // namespace
}  // namespace latchkey::store
