// WatchSessionChanges: another node's committed session changes reach the sink within a
// second; rolled-back ones never do; the feed reports losing and regaining its connection
// and stops promptly.
#include <chrono>

#include "pg_fixture.h"

namespace latchkey::testing {
namespace {

using namespace std::chrono_literals;

class PgFeed : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(db().WatchSessionChanges(sink_));
    ASSERT_TRUE(sink_.WaitUntil([](const RecordingSink& s) { return s.ups == 1; }, 3s));
    other_ = Open();
  }
  void TearDown() override {
    other_.reset();
    PgTest::TearDown();  // stops the feed before sink_ goes away
  }

  identity::UserId NewUser(const std::string& username) {
    auto created =
        other_->users().CreateUserWithSession(MakeUser(username), MakeSession(0, username + "-0"));
    if (!created) throw std::runtime_error("signup failed: " + created.error().message);
    return created->id;
  }

  RecordingSink sink_;
  std::unique_ptr<store::postgres::PostgresDatabase> other_;
};

TEST_F(PgFeed, DeleteSession_FromOtherNode_DeliversTokenHash) {
  NewUser("tina");
  ASSERT_TRUE(other_->sessions().DeleteSessionByTokenHash(TokenHash("tina-0")).value());
  EXPECT_TRUE(
      sink_.WaitUntil([](const RecordingSink& s) { return s.HasToken(TokenHash("tina-0")); }, 1s));
}

TEST_F(PgFeed, Rotation_FromOtherNode_DeliversReplacedTokenHash) {
  auto uid = NewUser("uma");
  ASSERT_TRUE(other_->sessions().InsertSession(MakeSession(uid, "uma-1"), TokenHash("uma-0")));
  EXPECT_TRUE(
      sink_.WaitUntil([](const RecordingSink& s) { return s.HasToken(TokenHash("uma-0")); }, 1s));
}

TEST_F(PgFeed, UserChanges_FromOtherNode_DeliverUserId) {
  auto uid = NewUser("victor");
  ASSERT_TRUE(other_->sessions().InsertSession(MakeSession(uid, "victor-1"), std::nullopt));
  auto has = [&](int count) {
    return [uid, count](const RecordingSink& s) {
      int n = 0;
      for (auto u : s.users) n += u == uid;
      return n >= count;
    };
  };
  ASSERT_TRUE(other_->users().UpdateName(uid, "Victor"));
  EXPECT_TRUE(sink_.WaitUntil(has(1), 1s)) << "UpdateName";
  ASSERT_TRUE(other_->sessions().DeleteUserSession(uid, "sid-victor-1").value());
  EXPECT_TRUE(sink_.WaitUntil(has(2), 1s)) << "DeleteUserSession";
  ASSERT_TRUE(other_->sessions().InsertSession(MakeSession(uid, "victor-2"), std::nullopt));
  ASSERT_EQ(
      other_->sessions().DeleteOtherSessions(uid, TokenHash("victor-0"), 1'700'000'000).value(), 1);
  EXPECT_TRUE(sink_.WaitUntil(has(3), 1s)) << "DeleteOtherSessions";
  ASSERT_TRUE(other_->users().ReplacePassword(uid, "$h2", MakeSession(uid, "victor-3")));
  EXPECT_TRUE(sink_.WaitUntil(has(4), 1s)) << "ReplacePassword";
  ASSERT_TRUE(other_->users().DeleteUser(uid).value());
  EXPECT_TRUE(sink_.WaitUntil(has(5), 1s)) << "DeleteUser";
}

TEST_F(PgFeed, RolledBackChange_IsNeverDelivered) {
  auto keep = NewUser("wendy");
  auto gone = NewUser("xavier");
  ASSERT_TRUE(other_->users().DeleteUser(gone).value());
  // Deletes wendy-0 and queues its notification, then fails on the foreign key: rolled back.
  auto failed = other_->sessions().InsertSession(MakeSession(gone, "x-1"), TokenHash("wendy-0"));
  ASSERT_FALSE(failed);
  // A later committed change: once it arrives, anything committed before it has arrived too.
  ASSERT_TRUE(other_->users().UpdateName(keep, "Wendy"));
  ASSERT_TRUE(sink_.WaitUntil([&](const RecordingSink& s) { return s.HasUser(keep); }, 1s));
  EXPECT_TRUE(sink_.WaitUntil(
      [](const RecordingSink& s) { return !s.HasToken(TokenHash("wendy-0")); }, 0s));
}

TEST_F(PgFeed, NoChange_NoNotification) {
  // Deleting nothing, expiry sweeps and touches announce nothing.
  auto uid = NewUser("yvonne");
  ASSERT_FALSE(other_->sessions().DeleteSessionByTokenHash(TokenHash("nothing")).value());
  ASSERT_TRUE(other_->sessions().TouchSession(TokenHash("yvonne-0"), 1'700'000'001));
  ASSERT_TRUE(other_->sessions().DeleteExpiredSessions(1'900'000'000));
  ASSERT_TRUE(other_->users().UpdateName(uid, "marker"));
  ASSERT_TRUE(sink_.WaitUntil([&](const RecordingSink& s) { return s.HasUser(uid); }, 1s));
  EXPECT_TRUE(sink_.WaitUntil(
      [&](const RecordingSink& s) { return s.tokens.empty() && s.users.size() == 1; }, 0s));
}

TEST_F(PgFeed, ConnectionLost_FeedGoesDownThenUpAgain) {
  AllowConnections(false);
  TerminateConnections();
  EXPECT_TRUE(sink_.WaitUntil([](const RecordingSink& s) { return s.downs == 1; }, 1s));
  // Stays down while the database refuses connections.
  std::this_thread::sleep_for(1200ms);
  EXPECT_TRUE(sink_.WaitUntil([](const RecordingSink& s) { return s.ups == 1; }, 0s));
  AllowConnections(true);
  ASSERT_TRUE(sink_.WaitUntil([](const RecordingSink& s) { return s.ups == 2; }, 3s));
  // And delivers again.
  NewUser("zoe");
  ASSERT_TRUE(other_->sessions().DeleteSessionByTokenHash(TokenHash("zoe-0")).value());
  EXPECT_TRUE(
      sink_.WaitUntil([](const RecordingSink& s) { return s.HasToken(TokenHash("zoe-0")); }, 1s));
}

TEST_F(PgFeed, Destructor_StopsTheFeedPromptly) {
  auto start = std::chrono::steady_clock::now();
  db_.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 300ms);
  EXPECT_TRUE(sink_.WaitUntil([](const RecordingSink& s) { return s.downs == 1; }, 0s));
}

TEST_F(PgFeed, Destructor_WhileReconnecting_StopsPromptly) {
  AllowConnections(false);
  TerminateConnections();
  ASSERT_TRUE(sink_.WaitUntil([](const RecordingSink& s) { return s.downs == 1; }, 1s));
  std::this_thread::sleep_for(700ms);  // somewhere in the reconnect loop
  auto start = std::chrono::steady_clock::now();
  db_.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 300ms);
  AllowConnections(true);
}

TEST_F(PgFeed, SecondSink_IsABug) {
  RecordingSink another;
  EXPECT_THROW(db().WatchSessionChanges(another), std::logic_error);
}

}  // namespace
}  // namespace latchkey::testing
