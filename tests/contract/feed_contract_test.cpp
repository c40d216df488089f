// Database::WatchSessionChanges on every dialect: another node's (or admin command's)
// committed session and user changes reach the sink within a second, rolled-back ones never
// do, changes that delete nothing announce nothing, a second sink is a bug; the watching node
// keeps its row in feed_nodes (before it serves, about every second, applied_seq past a mark
// only once the changes before it were delivered, deleted when it stops). PostgreSQL hears
// them by NOTIFY, SQLite by polling the session_changes table that triggers fill
// (store/sqlite/change_poller.h); what only one feed does (reconnecting, stopping while the
// server stalls) is tested with that dialect (tests/pg, tests/unit/change_poller_test.cpp).
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "contract/contract.h"

namespace latchkey::testing {
namespace {

using namespace std::chrono_literals;

class ContractFeed : public ContractTest {
 protected:
  void SetUp() override {
    ContractTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(db().WatchSessionChanges(sink_));
    ASSERT_TRUE(sink_.WaitUntil([](const RecordingSink& s) { return s.ups == 1; }, 3s));
    other_ = Open();
  }
  void TearDown() override {
    other_.reset();
    ContractTest::TearDown();  // stops the feed before sink_ goes away
  }

  // Signed up by the other node.
  identity::UserId NewUser(const std::string& username) {
    auto created = other_->users().CreateUserWithSession(
        MakeUser(username), MakeSession(identity::UserId(0), username + "-0"));
    if (!created) throw std::runtime_error("signup failed: " + created.error().message);
    return created->id;
  }

  RecordingSink sink_;
  std::unique_ptr<store::Database> other_;
};
LATCHKEY_CONTRACT_SUITE(ContractFeed);

TEST_P(ContractFeed, DeleteSession_FromOtherNode_DeliversTokenHash) {
  NewUser("tina");
  ASSERT_TRUE(other_->sessions().DeleteSessionByTokenHash(TokenHashOf("tina-0")).value());
  EXPECT_TRUE(sink_.WaitUntil(
      [](const RecordingSink& s) { return s.HasToken(TokenHashOf("tina-0")); }, 1s));
}

TEST_P(ContractFeed, Rotation_FromOtherNode_DeliversReplacedTokenHash) {
  auto uid = NewUser("uma");
  ASSERT_TRUE(
      other_->sessions().InsertSession(MakeSession(uid, "uma-1"), Replacing(TokenHashOf("uma-0"))));
  EXPECT_TRUE(
      sink_.WaitUntil([](const RecordingSink& s) { return s.HasToken(TokenHashOf("uma-0")); }, 1s));
}

TEST_P(ContractFeed, UserChanges_FromOtherNode_DeliverUserId) {
  auto uid = NewUser("victor");
  ASSERT_TRUE(other_->sessions().InsertSession(MakeSession(uid, "victor-1"), nullptr));
  auto has = [&](int count) {
    return [uid, count](const RecordingSink& s) {
      int n = 0;
      for (auto u : s.users) n += u == uid;
      return n >= count;
    };
  };
  int user_changes = 0;
  // A revoke of some of a user's sessions: PostgreSQL announces the user ("u:<id>"); SQLite's
  // trigger records each deleted row, so its token hash arrives instead.
  auto expect_revoked = [&](const std::string& tag, const char* what) {
    if (IsSqlite()) {
      EXPECT_TRUE(
          sink_.WaitUntil([&](const RecordingSink& s) { return s.HasToken(TokenHashOf(tag)); }, 1s))
          << what;
    } else {
      EXPECT_TRUE(sink_.WaitUntil(has(++user_changes), 1s)) << what;
    }
  };
  ASSERT_TRUE(other_->users().UpdateName(uid, "Victor"));
  EXPECT_TRUE(sink_.WaitUntil(has(++user_changes), 1s)) << "UpdateName";
  ASSERT_TRUE(
      other_->sessions().DeleteUserSession(uid, session::SessionId("sid-victor-1")).value());
  expect_revoked("victor-1", "DeleteUserSession");
  ASSERT_TRUE(other_->sessions().InsertSession(MakeSession(uid, "victor-2"), nullptr));
  ASSERT_EQ(other_->sessions()
                .DeleteOtherSessions(uid, TokenHashOf("victor-0"), FromUnixSeconds(1'700'000'000))
                .value(),
            1);
  expect_revoked("victor-2", "DeleteOtherSessions");
  ASSERT_TRUE(other_->users().ReplacePassword(uid, "$h2", MakeSession(uid, "victor-3")));
  EXPECT_TRUE(sink_.WaitUntil(has(++user_changes), 1s)) << "ReplacePassword";
  ASSERT_TRUE(other_->users().DeleteUser(uid).value());
  EXPECT_TRUE(sink_.WaitUntil(has(++user_changes), 1s)) << "DeleteUser";
}

TEST_P(ContractFeed, RolledBackChange_IsNeverDelivered) {
  auto keep = NewUser("wendy");
  auto gone = NewUser("xavier");
  ASSERT_TRUE(other_->users().DeleteUser(gone).value());
  // Deletes wendy-0 and queues its notification, then fails on the foreign key: rolled back.
  auto failed =
      other_->sessions().InsertSession(MakeSession(gone, "x-1"), Replacing(TokenHashOf("wendy-0")));
  ASSERT_FALSE(failed);
  // A later committed change: once it arrives, anything committed before it has arrived too.
  ASSERT_TRUE(other_->users().UpdateName(keep, "Wendy"));
  ASSERT_TRUE(sink_.WaitUntil([&](const RecordingSink& s) { return s.HasUser(keep); }, 1s));
  EXPECT_TRUE(sink_.WaitUntil(
      [](const RecordingSink& s) { return !s.HasToken(TokenHashOf("wendy-0")); }, 0s));
}

TEST_P(ContractFeed, NoChange_NoNotification) {
  // Deleting nothing and touches announce nothing; expiry sweeps: see below.
  auto uid = NewUser("yvonne");
  ASSERT_FALSE(other_->sessions().DeleteSessionByTokenHash(TokenHashOf("nothing")).value());
  ASSERT_TRUE(
      other_->sessions().TouchSession(TokenHashOf("yvonne-0"), FromUnixSeconds(1'700'000'001)));
  ASSERT_TRUE(other_->sessions().DeleteExpiredSessions(FromUnixSeconds(1'900'000'000)));
  ASSERT_TRUE(other_->users().UpdateName(uid, "marker"));
  ASSERT_TRUE(sink_.WaitUntil([&](const RecordingSink& s) { return s.HasUser(uid); }, 1s));
  // The dialects differ on the sweep: SQLite's trigger records every deleted row, the swept
  // yvonne-0 included (before the marker: changes arrive in commit order); PostgreSQL
  // announces no expiry (caches re-check expiry themselves).
  std::vector<session::TokenHash> expected_tokens;
  if (IsSqlite()) expected_tokens.push_back(TokenHashOf("yvonne-0"));
  EXPECT_TRUE(sink_.WaitUntil(
      [&](const RecordingSink& s) { return s.tokens == expected_tokens && s.users.size() == 1; },
      0s));
}

// store/feed_nodes.h: what lets `latchkey user disable` wait for every running server.
TEST_P(ContractFeed, Node_RegisteredBeforeUp_ConfirmsAboutEverySecond) {
  auto rows = other_->ListFeedNodes();
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().node.id.size(), 32u);
  EXPECT_GT(rows->front().node.pid, 0);
  EXPECT_LE(rows->front().silent, store::kFeedLease);
  int confirms = 0;
  ASSERT_TRUE(sink_.WaitUntil(
      [&](const RecordingSink& s) {
        confirms = s.confirms;
        return s.ups_confirmed == 1;
      },
      0s))
      << "confirmed (its row written) before the cache serves";
  EXPECT_TRUE(sink_.WaitUntil([&](const RecordingSink& s) { return s.confirms >= confirms + 2; },
                              3 * store::kFeedHeartbeat));
  EXPECT_LT(other_->ListFeedNodes().value().front().silent, 2 * store::kFeedHeartbeat);
}

TEST_P(ContractFeed, MarkChangeFeed_NodeReachesItOnlyAfterDeliveringTheChange) {
  NewUser("marko");
  ASSERT_TRUE(other_->sessions().DeleteSessionByTokenHash(TokenHashOf("marko-0")).value());
  auto mark = other_->MarkChangeFeed();
  ASSERT_TRUE(mark) << mark.error().message;
  auto applied = [&] {
    auto rows = other_->ListFeedNodes();
    return rows && rows->size() == 1 && rows->front().applied_seq >= *mark;
  };
  ASSERT_TRUE(Eventually(applied, 2s));
  // Applied means delivered: the sink had the change before the row said so.
  EXPECT_TRUE(sink_.WaitUntil(
      [](const RecordingSink& s) { return s.HasToken(TokenHashOf("marko-0")); }, 0s));
  auto later = other_->MarkChangeFeed();
  ASSERT_TRUE(later);
  EXPECT_GE(*later, *mark) << "positions never go back";
}

TEST_P(ContractFeed, StopWatching_DeletesTheNodesRow) {
  ASSERT_EQ(other_->ListFeedNodes().value().size(), 1u);
  db().StopWatchingSessionChanges();
  EXPECT_TRUE(other_->ListFeedNodes().value().empty());
}

TEST_P(ContractFeed, SecondSink_IsABug) {
  RecordingSink another;
  EXPECT_THROW(db().WatchSessionChanges(another), std::logic_error);
}

TEST_P(ContractFeed, DisableAndReset_FromOtherNode_ReachTheFeed) {
  auto cli = Open(1);  // as `latchkey user disable` opens it
  auto u =
      cli->users().CreateUserWithSession(MakeUser("nina"), MakeSession(identity::UserId(0), "n1"));
  ASSERT_TRUE(u);
  ASSERT_TRUE(cli->users().SetDisabled(u->id, FromUnixSeconds(1'700'000'001)).value());
  EXPECT_TRUE(sink_.WaitUntil([&](const RecordingSink& s) { return s.HasUser(u->id); }, 1s));
  auto v =
      cli->users().CreateUserWithSession(MakeUser("nora"), MakeSession(identity::UserId(0), "n2"));
  ASSERT_TRUE(v);
  ASSERT_TRUE(cli->users().ResetPassword(v->id, "$argon2id$z").value());
  EXPECT_TRUE(sink_.WaitUntil([&](const RecordingSink& s) { return s.HasUser(v->id); }, 1s));
}

}  // namespace
}  // namespace latchkey::testing
