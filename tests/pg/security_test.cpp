// throttle::ThrottleStore and audit::EventStore on PostgreSQL.
#include <chrono>
#include <thread>
#include <vector>

#include "pg_fixture.h"
#include "store/postgres/connection.h"

namespace latchkey::testing {
namespace {

using PgSecurity = PgTest;
using throttle::ThrottleState;

ThrottleState Increment(const ThrottleState& before) {
  ThrottleState after = before;
  ++after.failures;
  after.last_failure_at = 1'700'000'000 + after.failures;
  return after;
}

TEST_F(PgSecurity, UpdateThrottle_AbsentKey_StartsFromZero) {
  EXPECT_FALSE(db().throttles().GetThrottle("ip:1").value());
  auto after = db().throttles().UpdateThrottle("ip:1", [](const ThrottleState& before) {
    EXPECT_EQ(before.failures, 0);
    EXPECT_EQ(before.locked_until, 0);
    return ThrottleState{1, 10, 5, 1, 20};
  });
  ASSERT_TRUE(after) << after.error().message;
  auto stored = db().throttles().GetThrottle("ip:1").value();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->failures, 1);
  EXPECT_EQ(stored->last_failure_at, 10);
  EXPECT_EQ(stored->window_start, 5);
  EXPECT_EQ(stored->window_failures, 1);
  EXPECT_EQ(stored->locked_until, 20);
}

TEST_F(PgSecurity, UpdateThrottle_EightThreadsTimes25_Counts200) {
  db_ = Open(8);
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < kEach; ++k) {
        if (!db().throttles().UpdateThrottle("user:zed", Increment)) ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed, 0);
  auto stored = db().throttles().GetThrottle("user:zed").value();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->failures, kThreads * kEach);
}

TEST_F(PgSecurity, UpdateThrottle_RowLockedElsewhere_FailsWithinLockTimeout) {
  ASSERT_TRUE(db().throttles().UpdateThrottle("ip:locked", Increment));
  auto other = Connect();
  ASSERT_TRUE(other->ExecScript("BEGIN").ok());
  static constexpr const char* kLock = "SELECT 1 FROM throttles WHERE key = $1 FOR UPDATE";
  ASSERT_TRUE(other->Exec(kLock, {"ip:locked"}).ok());
  auto start = std::chrono::steady_clock::now();
  auto r = db().throttles().UpdateThrottle("ip:locked", Increment);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kStorageUnavailable);
  EXPECT_LT(took, std::chrono::seconds(7));
  other->ExecScript("ROLLBACK");
  // The connection that timed out is usable again.
  EXPECT_TRUE(db().throttles().UpdateThrottle("ip:locked", Increment));
  EXPECT_EQ(db().throttles().GetThrottle("ip:locked").value()->failures, 2);
}

TEST_F(PgSecurity, DeleteThrottle_AndSweepBeforeCutoff) {
  ASSERT_TRUE(db().throttles().UpdateThrottle("old", [](const ThrottleState&) {
    return ThrottleState{1, 100, 100, 1, 0};
  }));
  ASSERT_TRUE(db().throttles().UpdateThrottle("locked", [](const ThrottleState&) {
    return ThrottleState{9, 100, 100, 9, 10'000};
  }));
  ASSERT_TRUE(db().throttles().UpdateThrottle("recent", [](const ThrottleState&) {
    return ThrottleState{1, 5'000, 5'000, 1, 0};
  }));
  ASSERT_TRUE(db().throttles().UpdateThrottle("gone", [](const ThrottleState&) {
    return ThrottleState{1, 5'000, 5'000, 1, 0};
  }));
  ASSERT_TRUE(db().throttles().DeleteThrottle("gone"));
  EXPECT_FALSE(db().throttles().GetThrottle("gone").value());
  auto swept = db().throttles().DeleteThrottlesBefore(1'000);
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 1);  // "old"; "locked" is still locked past the cutoff
  EXPECT_FALSE(db().throttles().GetThrottle("old").value());
  EXPECT_TRUE(db().throttles().GetThrottle("locked").value());
  EXPECT_TRUE(db().throttles().GetThrottle("recent").value());
}

audit::AuthEvent Event(UnixSeconds at, std::string type, std::optional<identity::UserId> uid) {
  audit::AuthEvent e;
  e.at = at;
  e.type = std::move(type);
  e.user_id = uid;
  e.username = "someone";
  e.ip = "198.51.100.7";
  e.user_agent = "agent";
  return e;
}

TEST_F(PgSecurity, Events_ListNewestFirstLimitedAndPerUser) {
  ASSERT_TRUE(db().events().RecordEvent(Event(100, "login", 7)));
  ASSERT_TRUE(db().events().RecordEvent(Event(100, "logout", 7)));
  ASSERT_TRUE(db().events().RecordEvent(Event(101, "login", 8)));
  ASSERT_TRUE(db().events().RecordEvent(Event(102, "login_failed", std::nullopt)));
  ASSERT_TRUE(db().events().RecordEvent(Event(103, "password_changed", 7)));
  auto all = db().events().ListUserEvents(7, 10);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].type, "password_changed");
  EXPECT_EQ((*all)[1].type, "logout");
  EXPECT_EQ((*all)[2].type, "login");
  EXPECT_GT((*all)[0].id, (*all)[1].id);
  EXPECT_EQ((*all)[0].user_id, 7);
  EXPECT_EQ((*all)[0].ip, "198.51.100.7");
  EXPECT_EQ((*all)[0].username, "someone");
  EXPECT_EQ((*all)[0].user_agent, "agent");
  EXPECT_EQ((*all)[0].at, 103);
  auto two = db().events().ListUserEvents(7, 2);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->size(), 2u);
  EXPECT_EQ(db().events().ListUserEvents(9, 10).value().size(), 0u);
}

TEST_F(PgSecurity, Events_DeleteBeforeCutoff_KeepsTheRest) {
  ASSERT_TRUE(db().events().RecordEvent(Event(100, "login", 1)));
  ASSERT_TRUE(db().events().RecordEvent(Event(199, "login", 1)));
  ASSERT_TRUE(db().events().RecordEvent(Event(200, "logout", 1)));
  auto deleted = db().events().DeleteEventsBefore(200);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, 2);
  auto rest = db().events().ListUserEvents(1, 10).value();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].type, "logout");
}

TEST_F(PgSecurity, Events_UserAgentNotUtf8_IsStillRecorded) {
  auto e = Event(100, "login_failed", std::nullopt);
  e.user_agent = "bad\xc3";
  ASSERT_TRUE(db().events().RecordEvent(e));
  auto r = Connect()->ExecScript("SELECT user_agent, user_id IS NULL FROM auth_events");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.rows(), 1);
  EXPECT_EQ(r.Text(0, 0), "bad\xEF\xBF\xBD");
  EXPECT_TRUE(r.Bool(0, 1));
}

}  // namespace
}  // namespace latchkey::testing
