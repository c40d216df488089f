// The NOTIFY feed of PostgreSQL only: it reports losing and regaining its connection and
// stops promptly, even while reconnecting. What every dialect's feed does: tests/contract.
#include <chrono>
#include <thread>

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
  }

  RecordingSink sink_;  // PgTest::TearDown stops the feed before this goes
};

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
  auto other = Open();  // another node
  ASSERT_TRUE(other->users().CreateUserWithSession(MakeUser("zoe"),
                                                   MakeSession(identity::UserId(0), "zoe-0")));
  ASSERT_TRUE(other->sessions().DeleteSessionByTokenHash(TokenHashOf("zoe-0")).value());
  EXPECT_TRUE(
      sink_.WaitUntil([](const RecordingSink& s) { return s.HasToken(TokenHashOf("zoe-0")); }, 1s));
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

}  // namespace
}  // namespace latchkey::testing
