// Batched last_seen_at writes against the real SQLite store: nothing is written until a
// flush, a flush writes every pending touch in one go, writes never move last_seen_at back,
// a failed batch is kept, and the destructor writes what is left.
#include "session/touch_batcher.h"

#include <gtest/gtest.h>

#include "store/caching_store.h"
#include "store/sqlite/sqlite_database.h"
#include "test_support.h"

namespace latchkey::session {
namespace {

using std::chrono::hours;

class TouchBatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity::NewUser user{"alice", "Alice", "$argon2id$x", FromUnixSeconds(1000)};
    auto created = db_.users().CreateUserWithSession(user, Session("t1"));
    ASSERT_TRUE(created);
    user_id_ = created->id;
    ASSERT_TRUE(db_.sessions().InsertSession(Session("t2"), nullptr));
  }

  SessionRecord Session(const std::string& token_hash) {
    SessionRecord s;
    s.id = session::SessionId("id-" + token_hash);
    s.user_id = user_id_;
    s.token_hash = session::TokenHash(token_hash);
    s.created_at = s.last_seen_at = FromUnixSeconds(1000);
    s.expires_at = FromUnixSeconds(1000 + 86400);
    s.idle_timeout = Seconds(3600);
    return s;
  }

  UnixTime LastSeen(const std::string& token_hash) {
    auto found = db_.sessions().FindSessionByTokenHash(session::TokenHash(token_hash));
    EXPECT_TRUE(found && *found);
    return found && *found ? (*found)->session.last_seen_at : FromUnixSeconds(-1);
  }

  latchkey::testing::TempDir dir_;
  store::sqlite::SqliteDatabase db_{(dir_.path() / "latchkey.db").string(), 2};
  identity::UserId user_id_ = identity::UserId(0);
};

TEST_F(TouchBatcherTest, WritesOnlyOnFlushAndAllAtOnce) {
  TouchBatcher batcher(db_.sessions(), hours(1));  // the loop never fires during the test
  batcher.Record(session::TokenHash("t1"), FromUnixSeconds(1100));
  batcher.Record(session::TokenHash("t2"), FromUnixSeconds(1200));
  batcher.Record(session::TokenHash("t1"),
                 FromUnixSeconds(1150));  // the latest use of t1 stays 1150
  EXPECT_EQ(batcher.pending(), 2u);
  EXPECT_EQ(batcher.Pending(session::TokenHash("t1")), FromUnixSeconds(1150));
  EXPECT_EQ(batcher.Pending(session::TokenHash("t3")), std::nullopt);
  EXPECT_EQ(LastSeen("t1"), FromUnixSeconds(1000)) << "nothing written before the flush";

  auto written = batcher.Flush();
  ASSERT_TRUE(written);
  EXPECT_EQ(*written, 2u);
  EXPECT_EQ(batcher.pending(), 0u);
  EXPECT_EQ(LastSeen("t1"), FromUnixSeconds(1150));
  EXPECT_EQ(LastSeen("t2"), FromUnixSeconds(1200));
}

TEST_F(TouchBatcherTest, NeverMovesLastSeenBackwards) {
  TouchBatcher batcher(db_.sessions(), hours(1));
  ASSERT_TRUE(db_.sessions().TouchSession(session::TokenHash("t1"),
                                          FromUnixSeconds(5000)));  // another node's newer touch
  batcher.Record(session::TokenHash("t1"), FromUnixSeconds(1100));
  ASSERT_TRUE(batcher.Flush());
  EXPECT_EQ(LastSeen("t1"), FromUnixSeconds(5000));
}

TEST_F(TouchBatcherTest, EndedSessionsAreSkipped) {
  TouchBatcher batcher(db_.sessions(), hours(1));
  ASSERT_TRUE(db_.sessions().DeleteSessionByTokenHash(session::TokenHash("t1")));
  batcher.Record(session::TokenHash("t1"), FromUnixSeconds(1100));
  batcher.Record(session::TokenHash("t2"), FromUnixSeconds(1100));
  ASSERT_TRUE(batcher.Flush()) << "a logged-out session's touch is not an error";
  EXPECT_EQ(LastSeen("t2"), FromUnixSeconds(1100));
}

class FailingStore : public SessionStore {
 public:
  explicit FailingStore(SessionStore& real) : real_(real) {}
  bool fail = true;
  Result<void> TouchSession(const session::TokenHash& h, UnixTime now) override {
    return real_.TouchSession(h, now);
  }
  Result<void> TouchSessions(const std::vector<Touch>& touches) override {
    if (fail) return MakeError(Errc::kStorageUnavailable, "database down");
    return real_.TouchSessions(touches);
  }
  Result<void> InsertSession(const SessionRecord&, const TokenHash*) override {
    return MakeError(Errc::kStorageUnavailable, "unused");
  }
  Result<bool> InsertSessionIfPassword(const SessionRecord&, const TokenHash*,
                                       std::string_view) override {
    return MakeError(Errc::kStorageUnavailable, "unused");
  }
  Result<std::optional<ResolvedSession>> FindSessionByTokenHash(const TokenHash&) override {
    return MakeError(Errc::kStorageUnavailable, "unused");
  }
  Result<bool> DeleteSessionByTokenHash(const TokenHash&) override { return false; }
  Result<long> DeleteExpiredSessions(UnixTime) override { return 0L; }
  Result<std::vector<SessionRecord>> ListSessions(identity::UserId, UnixTime) override {
    return std::vector<SessionRecord>{};
  }
  Result<bool> DeleteUserSession(identity::UserId, const SessionId&) override { return false; }
  Result<std::optional<SessionRecord>> FindSessionById(const SessionId&) override {
    return std::optional<SessionRecord>();
  }
  Result<long> DeleteOtherSessions(identity::UserId, const TokenHash&, UnixTime) override {
    return 0L;
  }

 private:
  SessionStore& real_;
};

TEST_F(TouchBatcherTest, AFailedBatchIsKeptAndMergedWithNewerUses) {
  FailingStore store(db_.sessions());
  {
    TouchBatcher batcher(store, hours(1));
    batcher.Record(session::TokenHash("t1"), FromUnixSeconds(1100));
    EXPECT_FALSE(batcher.Flush());
    EXPECT_EQ(batcher.pending(), 1u) << "kept for the next round";
    batcher.Record(session::TokenHash("t1"), FromUnixSeconds(1300));
    store.fail = false;
  }  // the destructor writes what is left
  EXPECT_EQ(LastSeen("t1"), FromUnixSeconds(1300));
}

TEST_F(TouchBatcherTest, TheLoopFlushesOnItsOwn) {
  TouchBatcher batcher(db_.sessions(), std::chrono::milliseconds(20));
  batcher.Record(session::TokenHash("t1"), FromUnixSeconds(1100));
  for (int i = 0; i < 200 && LastSeen("t1") != FromUnixSeconds(1100); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(LastSeen("t1"), FromUnixSeconds(1100));
}

}  // namespace
}  // namespace latchkey::session
