// SessionSweeper's background thread beside live traffic on the same SQLite store (run under
// ThreadSanitizer by scripts/sanitize.sh thread): while other threads sign sessions in, read
// and touch them, every round of the sweeper deletes exactly the ended sessions and idle
// throttle counters, and never a live one; the destructor stops the thread promptly.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "app/session_sweeper.h"
#include "store/sqlite/sqlite_database.h"
#include "test_support.h"

namespace latchkey::app {
namespace {

using std::chrono::seconds;
using std::chrono::steady_clock;

class SessionSweeperConcurrency : public ::testing::Test {
 protected:
  void SetUp() override {
    identity::NewUser user{"alice", "Alice", "$argon2id$x", clock_.Now()};
    auto created = db_.users().CreateUserWithSession(user, Live("live-first"));
    ASSERT_TRUE(created);
    user_id_ = created->id;
  }

  session::SessionRecord Live(const std::string& token_hash) {
    session::SessionRecord s;
    s.id = session::SessionId("id-" + token_hash);
    s.user_id = user_id_;
    s.token_hash = session::TokenHash(token_hash);
    s.created_at = s.last_seen_at = clock_.Now();
    s.expires_at = clock_.Now() + Seconds(3600);
    s.idle_timeout = Seconds(600);
    return s;
  }
  session::SessionRecord Ended(const std::string& token_hash) {
    session::SessionRecord s = Live(token_hash);
    s.created_at = s.last_seen_at = clock_.Now() - Seconds(1000);  // idle for 1000 s > 600
    return s;
  }

  bool Exists(const std::string& token_hash) {
    auto found = db_.sessions().FindSessionByTokenHash(session::TokenHash(token_hash));
    EXPECT_TRUE(found);
    return found && found->has_value();
  }

  // Polls until pred() holds or `limit` passes.
  template <typename Pred>
  static bool Eventually(Pred pred, steady_clock::duration limit) {
    auto deadline = steady_clock::now() + limit;
    while (!pred()) {
      if (steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  latchkey::testing::TempDir dir_;
  FakeClock clock_;
  store::sqlite::SqliteDatabase db_{(dir_.path() / "latchkey.db").string(), 2};
  identity::UserId user_id_ = identity::UserId(0);
};

TEST_F(SessionSweeperConcurrency, SweepsOnlyEndedRowsWhileTrafficRuns) {
  constexpr int kWriters = 3;
  constexpr int kEach = 30;
  // A throttle counter idle for over an hour (swept) and a recent one (kept).
  auto state = [](UnixTime at) {
    return [at](const throttle::ThrottleState&) {
      throttle::ThrottleState s;
      s.failures = 3;
      s.last_failure_at = s.window_start = at;
      return s;
    };
  };
  ASSERT_TRUE(db_.throttles().UpdateThrottle("ip:old", state(clock_.Now() - Seconds(7200))));
  ASSERT_TRUE(db_.throttles().UpdateThrottle("ip:recent", state(clock_.Now() - Seconds(60))));

  std::atomic<int> errors{0};
  auto started = steady_clock::now();
  {
    SessionSweeper sweeper(db_.sessions(), db_.throttles(), db_.events(),
                           {db_.tokens(), db_.outbox()}, clock_, seconds(1), seconds(86400));
    std::latch start(kWriters);
    std::vector<std::thread> threads;
    for (int t = 0; t < kWriters; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int i = 0; i < kEach; ++i) {
          std::string n = std::to_string(t) + "-" + std::to_string(i);
          if (!db_.sessions().InsertSession(Live("live-" + n), nullptr)) ++errors;
          if (!db_.sessions().InsertSession(Ended("ended-" + n), nullptr)) ++errors;
          auto found = db_.sessions().FindSessionByTokenHash(
              session::TokenHash(session::TokenHash("live-" + n)));
          if (!found || !found->has_value()) ++errors;  // a live session is never swept
          if (!db_.sessions().TouchSession(session::TokenHash(session::TokenHash("live-" + n)),
                                           clock_.Now()))
            ++errors;
        }
      });
    }
    for (auto& th : threads) th.join();
    // Sessions that ended while the sweeper ran go in its next round (at most 1 s away).
    EXPECT_TRUE(Eventually(
        [&] {
          for (int t = 0; t < kWriters; ++t) {
            for (int i = 0; i < kEach; ++i) {
              if (Exists("ended-" + std::to_string(t) + "-" + std::to_string(i))) return false;
            }
          }
          return true;
        },
        seconds(10)))
        << "ended sessions left after the sweeper's rounds";
  }
  EXPECT_LT(steady_clock::now() - started, seconds(15)) << "the destructor stops the thread";
  EXPECT_EQ(errors.load(), 0);
  EXPECT_TRUE(Exists("live-first"));
  for (int t = 0; t < kWriters; ++t) {
    for (int i = 0; i < kEach; ++i) {
      EXPECT_TRUE(Exists("live-" + std::to_string(t) + "-" + std::to_string(i))) << t << "," << i;
    }
  }
  auto old = db_.throttles().GetThrottle("ip:old");
  auto recent = db_.throttles().GetThrottle("ip:recent");
  ASSERT_TRUE(old && recent);
  EXPECT_FALSE(old->has_value()) << "an idle counter is swept";
  EXPECT_TRUE(recent->has_value()) << "a recent counter stays";
}

}  // namespace
}  // namespace latchkey::app
