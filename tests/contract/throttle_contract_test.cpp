// throttle::ThrottleStore on every dialect: an absent key starts from zero, every field comes
// back as written (times to the millisecond, attempts in flight), concurrent updates of one key
// never lose one, deletes and the sweep before a cutoff.
#include <atomic>
#include <thread>
#include <vector>

#include "contract/contract.h"

namespace latchkey::testing {
namespace {

using throttle::ThrottleState;

class ContractThrottle : public ContractTest {};
LATCHKEY_CONTRACT_SUITE(ContractThrottle);

TEST_P(ContractThrottle, UpdateThrottle_AbsentKey_StartsFromZero) {
  EXPECT_FALSE(db().throttles().GetThrottle("ip:1").value());
  auto after = db().throttles().UpdateThrottle("ip:1", [](const ThrottleState& before) {
    EXPECT_EQ(before.failures, 0);
    EXPECT_EQ(before.locked_until, FromUnixSeconds(0));
    return ThrottleState{1, FromUnixSeconds(10), FromUnixSeconds(5), 1, FromUnixSeconds(20)};
  });
  ASSERT_TRUE(after) << after.error().message;
  auto stored = db().throttles().GetThrottle("ip:1").value();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->failures, 1);
  EXPECT_EQ(stored->last_failure_at, FromUnixSeconds(10));
  EXPECT_EQ(stored->window_start, FromUnixSeconds(5));
  EXPECT_EQ(stored->window_failures, 1);
  EXPECT_EQ(stored->locked_until, FromUnixSeconds(20));
}

TEST_P(ContractThrottle, UpdateThrottle_KeepsMillisecondsAndAttemptsInFlight) {
  const ThrottleState written{6,
                              FromUnixMillis(1'700'000'000'123),
                              FromUnixMillis(1'699'999'000'456),
                              7,
                              FromUnixMillis(1'700'000'001'789),
                              3,
                              FromUnixMillis(1'700'000'030'001)};
  ASSERT_TRUE(
      db().throttles().UpdateThrottle("user:ms", [&](const ThrottleState&) { return written; }));
  auto stored = db().throttles().GetThrottle("user:ms").value();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->failures, 6);
  EXPECT_EQ(stored->last_failure_at, written.last_failure_at);
  EXPECT_EQ(stored->window_start, written.window_start);
  EXPECT_EQ(stored->window_failures, 7);
  EXPECT_EQ(stored->locked_until, written.locked_until);
  EXPECT_EQ(stored->pending, 3);
  EXPECT_EQ(stored->pending_until, written.pending_until);
  // A row with attempts in flight past the cutoff is not swept.
  auto swept = db().throttles().DeleteThrottlesBefore(FromUnixMillis(1'700'000'020'000));
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 0);
}

TEST_P(ContractThrottle, UpdateThrottle_EightThreadsTimes25_Counts200) {
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

TEST_P(ContractThrottle, DeleteThrottle_AndSweepBeforeCutoff) {
  ASSERT_TRUE(db().throttles().UpdateThrottle("old", [](const ThrottleState&) {
    return ThrottleState{1, FromUnixSeconds(100), FromUnixSeconds(100), 1, FromUnixSeconds(0)};
  }));
  ASSERT_TRUE(db().throttles().UpdateThrottle("locked", [](const ThrottleState&) {
    return ThrottleState{9, FromUnixSeconds(100), FromUnixSeconds(100), 9, FromUnixSeconds(10'000)};
  }));
  ASSERT_TRUE(db().throttles().UpdateThrottle("recent", [](const ThrottleState&) {
    return ThrottleState{1, FromUnixSeconds(5'000), FromUnixSeconds(5'000), 1, FromUnixSeconds(0)};
  }));
  ASSERT_TRUE(db().throttles().UpdateThrottle("gone", [](const ThrottleState&) {
    return ThrottleState{1, FromUnixSeconds(5'000), FromUnixSeconds(5'000), 1, FromUnixSeconds(0)};
  }));
  ASSERT_TRUE(db().throttles().DeleteThrottle("gone"));
  EXPECT_FALSE(db().throttles().GetThrottle("gone").value());
  auto swept = db().throttles().DeleteThrottlesBefore(FromUnixSeconds(1'000));
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 1);  // "old"; "locked" is still locked past the cutoff
  EXPECT_FALSE(db().throttles().GetThrottle("old").value());
  EXPECT_TRUE(db().throttles().GetThrottle("locked").value());
  EXPECT_TRUE(db().throttles().GetThrottle("recent").value());
}

}  // namespace
}  // namespace latchkey::testing
