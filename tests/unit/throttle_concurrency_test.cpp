// Throttle on the real SQLite store under several threads at once (run under ThreadSanitizer
// by scripts/sanitize.sh thread): every counted failure is kept (no lost update between
// threads), Acquire lets exactly the free failures be verified however many race for them,
// correct attempts racing at the edge wait for each other instead of being refused, and every
// admitted attempt leaves the in-flight count when settled.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_database.h"
#include "test_support.h"
#include "throttle/throttle.h"

namespace latchkey::throttle {
namespace {

constexpr int kThreads = 4;

class ThrottleConcurrency : public ::testing::Test {
 protected:
  ThrottleState State(const std::string& key) {
    auto state = db_.throttles().GetThrottle(key);
    EXPECT_TRUE(state && state->has_value()) << key;
    return state && state->has_value() ? **state : ThrottleState{};
  }

  // Runs body(thread index) on kThreads threads released at once.
  template <typename Body>
  static void OnThreads(Body body) {
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        body(t);
      });
    }
    for (auto& th : threads) th.join();
  }

  latchkey::testing::TempDir dir_;
  FakeClock clock_;
  store::sqlite::SqliteDatabase db_{(dir_.path() / "latchkey.db").string(), 2};
  Throttle throttle_{db_.throttles(), clock_};
};

TEST_F(ThrottleConcurrency, FailuresFromManyThreadsAreAllCounted) {
  constexpr int kEach = 40;
  const ThrottlePolicy never_locks{1'000'000, Seconds(1), Seconds(60), Seconds(3600), 1'000'000};
  std::atomic<int> errors{0};
  OnThreads([&](int t) {
    for (int i = 0; i < kEach; ++i) {
      if (!throttle_.Fail("ip:10.0.0.1", never_locks)) ++errors;
      if (!throttle_.Fail("user:u" + std::to_string(t), never_locks)) ++errors;
    }
  });
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(State("ip:10.0.0.1").failures, kThreads * kEach) << "a shared key lost updates";
  EXPECT_EQ(State("ip:10.0.0.1").window_failures, kThreads * kEach);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(State("user:u" + std::to_string(t)).failures, kEach) << t;
  }
}

TEST_F(ThrottleConcurrency, RacingAcquiresPassExactlyTheFreeFailures) {
  const ThrottlePolicy policy{5, Seconds(1), Seconds(60), Seconds(3600), 100};
  std::atomic<int> passed{0};
  std::atomic<int> limited{0};
  std::atomic<int> errors{0};
  OnThreads([&](int) {
    for (int i = 0; i < 6; ++i) {
      auto r = throttle_.Acquire("user:dave", policy);
      if (r) {
        ++passed;
        r->Failed();  // a wrong password
      } else if (r.error().code == Errc::kRateLimited) {
        ++limited;
        if (r.error().retry_after != 1) ++errors;  // the fifth failure locks for base_delay
      } else {
        ++errors;
      }
    }
  });
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(passed.load(), 5) << "admitted with those in flight: no more than the free failures";
  EXPECT_EQ(limited.load(), kThreads * 6 - 5);
  EXPECT_EQ(State("user:dave").failures, 5);
  EXPECT_EQ(State("user:dave").pending, 0);
  EXPECT_EQ(State("user:dave").locked_until, clock_.NowMs() + Seconds(1));
}

TEST_F(ThrottleConcurrency, CorrectAttemptsRacingAtTheEdgeWaitInsteadOfBeingRefused) {
  // Three failures already: only two more may be in flight. Every thread's attempts succeed.
  const ThrottlePolicy policy{5, Seconds(1), Seconds(60), Seconds(3600), 100};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(throttle_.Fail("user:erin", policy));
  std::atomic<int> admitted{0};
  std::atomic<int> refused{0};
  std::atomic<int> in_flight{0};
  std::atomic<int> most_in_flight{0};
  OnThreads([&](int) {
    for (int i = 0; i < 10; ++i) {
      auto r = throttle_.Acquire("user:erin", policy);
      if (!r) {
        ++refused;
        continue;
      }
      ++admitted;
      int now = ++in_flight;
      int seen = most_in_flight.load();
      while (now > seen && !most_in_flight.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // the password check
      --in_flight;
      r->Succeeded();
    }
  });
  EXPECT_EQ(refused.load(), 0) << "never 429 while the failures are under the limit";
  EXPECT_EQ(admitted.load(), kThreads * 10);
  EXPECT_LE(most_in_flight.load(), 2) << "3 failures + in flight stayed within 5";
  EXPECT_EQ(State("user:erin").failures, 3);
  EXPECT_EQ(State("user:erin").pending, 0);
}

TEST_F(ThrottleConcurrency, SettledAttemptsLeaveOnlyTheRealFailures) {
  // Threads 0 and 1 log in successfully (Acquire, Succeeded); threads 2 and 3 fail (Fail).
  constexpr int kEach = 30;
  const ThrottlePolicy policy{1'000'000, Seconds(1), Seconds(60), Seconds(3600), 1'000'000};
  std::atomic<int> errors{0};
  OnThreads([&](int t) {
    for (int i = 0; i < kEach; ++i) {
      if (t < 2) {
        auto attempt = throttle_.Acquire("ip:10.0.0.2", policy);
        if (!attempt) ++errors;  // settled by its destructor: not a failure
      } else if (!throttle_.Fail("ip:10.0.0.2", policy)) {
        ++errors;
      }
    }
  });
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(State("ip:10.0.0.2").failures, 2 * kEach) << "only the real failures remain";
  EXPECT_EQ(State("ip:10.0.0.2").window_failures, 2 * kEach);
  EXPECT_EQ(State("ip:10.0.0.2").pending, 0);
  EXPECT_EQ(State("ip:10.0.0.2").locked_until, FromUnixSeconds(0));
}

}  // namespace
}  // namespace latchkey::throttle
