// The SQLite session change feed (store/sqlite/change_poller.h): writes made by another
// process on the same file (here: another SqliteDatabase, as `latchkey user ...` opens it)
// reach the sink at the next poll -- deleted sessions by token hash, changed, disabled or
// deleted users by id, cascades included; an idle database delivers nothing; rows missed
// (pruned before they were read) drop the whole cache. The poller keeps this process's row in
// feed_nodes: written before the feed is up, after every poll that applied changes (and only
// then past them), about every second when idle; deleted by the destructor, pruned when a
// crashed process left it. Migration 4 keeps existing users enabled.
#include "store/sqlite/change_poller.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "session/session_cache.h"
#include "store/caching_store.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_database.h"
#include "test_support.h"

namespace latchkey::store::sqlite {
namespace {

struct Sink final : SessionChangeSink {
  void OnFeedUp() override {
    ++ups;
    ups_confirmed_before += confirms > 0;
  }
  void OnFeedConfirmed(std::chrono::steady_clock::time_point) override { ++confirms; }
  void OnFeedDown() override { ++downs; }
  void OnSessionChanged(const session::TokenHash& t) override { tokens.push_back(t.value()); }
  void OnUserChanged(identity::UserId id) override { users.push_back(id); }
  bool HasToken(const std::string& t) const {
    return std::find(tokens.begin(), tokens.end(), t) != tokens.end();
  }
  bool HasUser(identity::UserId id) const {
    return std::find(users.begin(), users.end(), id) != users.end();
  }
  void Reset() { *this = Sink{}; }
  int ups = 0, downs = 0, confirms = 0, ups_confirmed_before = 0;
  std::vector<std::string> tokens;
  std::vector<identity::UserId> users;
};

std::string Hash(const std::string& tag) { return std::string(64 - tag.size(), '0') + tag; }

session::SessionRecord Session(identity::UserId user_id, const std::string& tag) {
  session::SessionRecord s;
  s.id = session::SessionId("sid-" + tag);
  s.user_id = user_id;
  s.token_hash = session::TokenHash(Hash(tag));
  s.created_at = s.last_seen_at = FromUnixSeconds(1'700'000'000);
  s.expires_at = FromUnixSeconds(4'000'000'000);
  s.idle_timeout = Seconds(1'000'000'000);
  return s;
}

class ChangePollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    poller_.Attach(sink_);
    ASSERT_EQ(sink_.ups, 1);
    ASSERT_EQ(sink_.ups_confirmed_before, 1) << "the node's row is written before it serves";
    sink_.Reset();
  }

  // This poller's row in feed_nodes, as a command reads it.
  std::optional<FeedNode> Row() {
    auto rows = cli_.ListFeedNodes();
    EXPECT_TRUE(rows);
    if (!rows) return std::nullopt;
    for (auto& row : *rows) {
      if (row.node.id == poller_.node().id) return row;
    }
    return std::nullopt;
  }

  identity::UserId NewUser(const std::string& name, const std::string& tag) {
    auto u = cli_.users().CreateUserWithSession(
        {name, "", "$argon2id$x", FromUnixSeconds(1'700'000'000)},
        Session(identity::UserId(0), tag));
    EXPECT_TRUE(u);
    return u ? u->id : identity::UserId();
  }
  void Poll() {
    sink_.Reset();
    ASSERT_TRUE(poller_.PollOnce());
  }

  testing::TempDir dir_;
  std::string path_ = (dir_.path() / "latchkey.db").string();
  SqliteDatabase server_{path_, 1};  // migrates
  SqliteDatabase cli_{path_, 1};     // the other process
  Sink sink_;
  ChangePoller poller_{path_, std::chrono::milliseconds(250)};
};

TEST_F(ChangePollerTest, Idle_DeliversNothing) {
  Poll();
  EXPECT_TRUE(sink_.tokens.empty());
  EXPECT_TRUE(sink_.users.empty());
  EXPECT_EQ(sink_.ups + sink_.downs, 0);
}

TEST_F(ChangePollerTest, OtherProcessDeletesSession_TokenHashDelivered) {
  NewUser("ann", "a1");
  Poll();  // the signup: nothing deleted
  EXPECT_TRUE(sink_.tokens.empty());
  ASSERT_TRUE(cli_.sessions().DeleteSessionByTokenHash(session::TokenHash(Hash("a1"))).value());
  Poll();
  EXPECT_EQ(sink_.tokens, std::vector<std::string>{Hash("a1")});
  Poll();
  EXPECT_TRUE(sink_.tokens.empty()) << "each change once";
}

TEST_F(ChangePollerTest, DisableEnableResetDelete_UserAndCascadedTokensDelivered) {
  auto id = NewUser("bea", "b1");
  ASSERT_TRUE(cli_.sessions().InsertSession(Session(id, "b2"), nullptr));
  Poll();
  ASSERT_TRUE(cli_.users().SetDisabled(id, FromUnixSeconds(1'700'000'100)).value());
  Poll();
  EXPECT_TRUE(sink_.HasUser(id));
  EXPECT_TRUE(sink_.HasToken(Hash("b1")));
  EXPECT_TRUE(sink_.HasToken(Hash("b2")));
  ASSERT_TRUE(cli_.users().SetDisabled(id, FromUnixSeconds(0)).value());
  Poll();
  EXPECT_TRUE(sink_.HasUser(id));
  ASSERT_TRUE(cli_.sessions().InsertSession(Session(id, "b3"), nullptr));
  ASSERT_TRUE(cli_.users().ResetPassword(id, "$argon2id$y").value());
  Poll();
  EXPECT_TRUE(sink_.HasUser(id));
  EXPECT_TRUE(sink_.HasToken(Hash("b3")));
  ASSERT_TRUE(cli_.sessions().InsertSession(Session(id, "b4"), nullptr));
  ASSERT_TRUE(cli_.users().DeleteUser(id).value());
  Poll();
  EXPECT_TRUE(sink_.HasUser(id));
  EXPECT_TRUE(sink_.HasToken(Hash("b4"))) << "ON DELETE CASCADE fires the sessions trigger";
}

TEST_F(ChangePollerTest, RowsPrunedBeforeRead_DropTheWholeCache) {
  NewUser("cid", "c1");
  NewUser("cody", "c2");
  Poll();
  ASSERT_TRUE(cli_.sessions().DeleteSessionByTokenHash(session::TokenHash(Hash("c1"))).value());
  ASSERT_TRUE(cli_.sessions().DeleteSessionByTokenHash(session::TokenHash(Hash("c2"))).value());
  {
    Connection raw(path_);
    ASSERT_EQ(raw.Exec("DELETE FROM session_changes WHERE seq = (SELECT MIN(seq) FROM "
                       "session_changes WHERE token_hash IS NOT NULL)"),
              SQLITE_OK);
  }
  Poll();
  EXPECT_EQ(sink_.downs, 1);
  EXPECT_EQ(sink_.ups, 1);
}

TEST_F(ChangePollerTest, Attach_RegistersThisProcessAtTheNewestChange) {
  auto row = Row();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->node.id.size(), 32u);
  EXPECT_EQ(row->node.pid, static_cast<std::int64_t>(::getpid()));
  EXPECT_FALSE(row->node.host.empty());
  EXPECT_EQ(row->applied_seq, cli_.MarkChangeFeed().value());
  EXPECT_LT(row->silent, kFeedLease);
}

TEST_F(ChangePollerTest, AppliedSeq_ReachesTheMarkOnlyOnceTheChangeIsDelivered) {
  NewUser("dee", "d1");
  ASSERT_TRUE(cli_.sessions().DeleteSessionByTokenHash(session::TokenHash(Hash("d1"))).value());
  auto mark = cli_.MarkChangeFeed().value();
  EXPECT_LT(Row()->applied_seq, mark) << "not polled yet";
  Poll();
  EXPECT_TRUE(sink_.HasToken(Hash("d1")));
  EXPECT_EQ(sink_.confirms, 1) << "a poll that applied changes reports at once";
  EXPECT_EQ(Row()->applied_seq, mark);
  EXPECT_EQ(cli_.MarkChangeFeed().value(), mark) << "nothing new: the same position";
}

TEST_F(ChangePollerTest, Idle_HeartbeatAboutEverySecond) {
  Poll();
  EXPECT_EQ(sink_.confirms, 0) << "written at Attach, not again so soon";
  std::this_thread::sleep_for(kFeedHeartbeat);
  Poll();
  EXPECT_EQ(sink_.confirms, 1);
  EXPECT_LT(Row()->silent, std::chrono::milliseconds(500));
}

TEST_F(ChangePollerTest, Destructor_DeletesThisNodesRowOnly) {
  {
    Sink other_sink;
    ChangePoller other(path_, std::chrono::milliseconds(250));
    other.Attach(other_sink);
    EXPECT_EQ(cli_.ListFeedNodes().value().size(), 2u);
  }
  auto rows = cli_.ListFeedNodes().value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].node.id, poller_.node().id);
}

TEST_F(ChangePollerTest, RowsSilentForAMinute_ArePruned) {
  {
    Connection raw(path_);
    ASSERT_EQ(raw.Exec("INSERT INTO feed_nodes VALUES ('crashed', 'h', 1, 0, 0)"), SQLITE_OK);
  }
  Sink other_sink;
  ChangePoller other(path_, std::chrono::milliseconds(250));
  other.Attach(other_sink);  // prunes at its first poll
  for (const auto& row : cli_.ListFeedNodes().value()) EXPECT_NE(row.node.id, "crashed");
}

// The whole path as `latchkey serve` runs it: a cached session revoked by another process is
// refused within a second (the poll's interval is 250 ms).
TEST(ChangePollerServe, CachedSessionRevokedByOtherProcess_RefusedWithinASecond) {
  testing::TempDir dir;
  std::string path = (dir.path() / "latchkey.db").string();
  SystemClock clock;
  session::SessionCache cache(100, std::chrono::seconds(60));
  SqliteDatabase server(path, 2);
  CachingStore store(server, cache, clock);
  struct StopFirst {  // the feed stops before `store`, its sink, goes
    SqliteDatabase& db;
    ~StopFirst() { db.StopWatchingSessionChanges(); }
  } stop_first{server};
  cache.SetServing(false);
  ASSERT_TRUE(server.WatchSessionChanges(store));
  SqliteDatabase cli(path, 1);
  auto s = Session(identity::UserId(0), "d1");
  s.created_at = s.last_seen_at = clock.Now();
  auto id = cli.users().CreateUserWithSession({"dan", "", "$argon2id$x", clock.Now()}, s);
  ASSERT_TRUE(id);
  ASSERT_TRUE(store.FindSessionByTokenHash(session::TokenHash(Hash("d1"))).value());
  ASSERT_TRUE(cache.Get(session::TokenHash(Hash("d1")))) << "cached";
  ASSERT_TRUE(cli.users().SetDisabled(id->id, clock.Now()).value());
  auto start = std::chrono::steady_clock::now();
  while (cache.Get(session::TokenHash(Hash("d1")))) {
    ASSERT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(store.FindSessionByTokenHash(session::TokenHash(Hash("d1"))).value());
}

TEST(Migration4, ExistingUsers_StayEnabled) {
  testing::TempDir dir;
  Connection conn((dir.path() / "latchkey.db").string());
  ASSERT_EQ(SchemaVersion(conn), 0);
  for (const auto& m : Migrations()) {
    if (m.version > 3) break;
    ASSERT_EQ(conn.Exec(m.sql), SQLITE_OK) << m.name;
    auto stmt = conn.Prepare(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, 0)");
    ASSERT_EQ(stmt->Bind(1, std::int64_t{m.version}).Bind(2, m.name).Step(), SQLITE_DONE);
  }
  ASSERT_EQ(conn.Exec("INSERT INTO users (username, password_hash, created_at) "
                      "VALUES ('old', 'h', 1)"),
            SQLITE_OK);
  auto applied = Migrate(conn);
  ASSERT_FALSE(applied.empty());
  EXPECT_EQ(applied.front(), 4);
  auto stmt = conn.Prepare("SELECT disabled_at FROM users WHERE username = 'old'");
  ASSERT_EQ(stmt->Step(), SQLITE_ROW);
  EXPECT_TRUE(stmt->IsNull(0));
}

}  // namespace
}  // namespace latchkey::store::sqlite
