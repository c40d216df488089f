// An operator's command waits for the running servers (app/server_confirmation.h), here on
// SQLite files with real change feeds: no server, returns at once; a running server confirms
// at its next poll, having delivered the change first; rows of servers that stopped or
// stalled (silent past kFeedLease) are not waited for, or stop being waited for when they fall
// silent; a server that keeps writing its heartbeat without applying is reported as pending
// at the deadline.
#include "app/server_confirmation.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_database.h"
#include "test_support.h"

namespace latchkey::app {
namespace {

using namespace std::chrono_literals;
using store::sqlite::SqliteDatabase;

struct Sink final : store::SessionChangeSink {
  void OnFeedUp() override {}
  void OnFeedDown() override {}
  void OnSessionChanged(const session::TokenHash& t) override {
    std::lock_guard lock(mu);
    tokens.push_back(t.value());
  }
  void OnUserChanged(identity::UserId) override {}
  bool Has(const std::string& t) {
    std::lock_guard lock(mu);
    for (const auto& x : tokens) {
      if (x == t) return true;
    }
    return false;
  }
  std::mutex mu;
  std::vector<std::string> tokens;
};

std::int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class ServerConfirmationTest : public ::testing::Test {
 protected:
  // A row as a server writes it, `silent_ms` old.
  void InsertRow(const std::string& id, std::int64_t applied, std::int64_t silent_ms) {
    store::sqlite::Connection raw(path_);
    auto stmt = raw.Prepare("INSERT INTO feed_nodes VALUES (?1, 'elsewhere', 7, ?2, ?3)");
    ASSERT_EQ(stmt->Bind(1, id).Bind(2, applied).Bind(3, WallMs() - silent_ms).Step(), SQLITE_DONE);
  }
  // A session of a new user "<tag>", with token hash = tag padded to 64 hex digits.
  std::string NewSession(const std::string& tag) {
    session::SessionRecord s;
    s.id = session::SessionId("sid-" + tag);
    s.token_hash = session::TokenHash(std::string(64 - tag.size(), '0') + tag);
    s.created_at = s.last_seen_at = FromUnixSeconds(1'700'000'000);
    s.expires_at = FromUnixSeconds(4'000'000'000);
    s.idle_timeout = Seconds(1'000'000);
    EXPECT_TRUE(cli_.users().CreateUserWithSession({tag, "", "$argon2id$x", s.created_at}, s));
    return s.token_hash.value();
  }

  // A change every server must apply: a new session, revoked.
  void Revoke(const std::string& tag) {
    std::string token = NewSession(tag);
    ASSERT_TRUE(cli_.sessions().DeleteSessionByTokenHash(session::TokenHash(token)).value());
  }

  testing::TempDir dir_;
  std::string path_ = (dir_.path() / "latchkey.db").string();
  SqliteDatabase cli_{path_, 1};  // the command's process
};

TEST_F(ServerConfirmationTest, NoServer_ReturnsAtOnce) {
  auto c = ConfirmWithServers(cli_);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->applied.empty() && c->gone.empty() && c->pending.empty());
  EXPECT_LT(c->waited, 50ms);
  EXPECT_EQ(Describe(*c), "no server running");
}

TEST_F(ServerConfirmationTest, RowsOfStoppedServers_AreNotWaitedFor) {
  InsertRow("crashed", 0, store::kFeedLease.count() + 1);
  auto c = ConfirmWithServers(cli_);
  ASSERT_TRUE(c);
  EXPECT_EQ(Describe(*c), "no server running");
}

TEST_F(ServerConfirmationTest, RunningServer_ConfirmsAfterDeliveringTheChange) {
  Sink sink;
  SqliteDatabase server(path_, 1);
  ASSERT_TRUE(server.WatchSessionChanges(sink));
  std::string token = NewSession("ann");
  ASSERT_TRUE(cli_.sessions().DeleteSessionByTokenHash(session::TokenHash(token)).value());
  auto c = ConfirmWithServers(cli_);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(sink.Has(token)) << "applied means delivered";
  ASSERT_EQ(c->applied.size(), 1u);
  EXPECT_TRUE(c->gone.empty() && c->pending.empty());
  EXPECT_LE(c->waited, SqliteDatabase::kFeedInterval + 200ms) << "one poll";
  EXPECT_EQ(Describe(*c).rfind("applied by 1 running server in ", 0), 0u) << Describe(*c);
  server.StopWatchingSessionChanges();  // before `sink` goes
}

TEST_F(ServerConfirmationTest, TwoServers_BothConfirm) {
  Sink a_sink, b_sink;
  SqliteDatabase a(path_, 1), b(path_, 1);
  ASSERT_TRUE(a.WatchSessionChanges(a_sink));
  ASSERT_TRUE(b.WatchSessionChanges(b_sink));
  std::string token = NewSession("bob");
  ASSERT_TRUE(cli_.sessions().DeleteSessionByTokenHash(session::TokenHash(token)).value());
  auto c = ConfirmWithServers(cli_);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->applied.size(), 2u);
  EXPECT_TRUE(a_sink.Has(token) && b_sink.Has(token));
  EXPECT_EQ(Describe(*c).rfind("applied by 2 running servers in ", 0), 0u) << Describe(*c);
  a.StopWatchingSessionChanges();
  b.StopWatchingSessionChanges();
}

TEST_F(ServerConfirmationTest, ServerFallingSilent_IsNotWaitedForPastTheLease) {
  // Heard from 2.8 s ago and never again (stalled): silent 200 ms into the wait.
  InsertRow("stalled", 0, store::kFeedLease.count() - 200);
  Revoke("dee");
  auto c = ConfirmWithServers(cli_);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->gone.size(), 1u);
  EXPECT_TRUE(c->applied.empty() && c->pending.empty());
  EXPECT_LT(c->waited, 1s);
  EXPECT_NE(Describe(*c).find("1 stopped or stalled meanwhile (elsewhere pid 7"), std::string::npos)
      << Describe(*c);
}

TEST_F(ServerConfirmationTest, ServerThatNeverApplies_PendingAtTheDeadline) {
  InsertRow("stuck", 0, 0);
  std::atomic<bool> done{false};
  std::thread heartbeat([&] {  // keeps its row fresh, never its applied_seq
    store::sqlite::Connection raw(path_);
    while (!done) {
      auto stmt = raw.Prepare("UPDATE feed_nodes SET heartbeat_ms = ?1");
      stmt->Bind(1, WallMs()).Step();
      std::this_thread::sleep_for(50ms);
    }
  });
  Revoke("cy");
  auto c = ConfirmWithServers(cli_, {.timeout = 300ms, .poll = 20ms});
  done = true;
  heartbeat.join();
  ASSERT_TRUE(c);
  ASSERT_EQ(c->pending.size(), 1u);
  EXPECT_EQ(c->pending[0].node.id, "stuck");
  EXPECT_GE(c->waited, 300ms);
  EXPECT_NE(Describe(*c).find("NOT confirmed by 1 (elsewhere pid 7)"), std::string::npos)
      << Describe(*c);
}

}  // namespace
}  // namespace latchkey::app
