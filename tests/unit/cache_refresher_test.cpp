// The refresher runs each requested refresh once, on its own thread within its interval or
// when asked, and stops promptly with requests still pending.
#include "session/cache_refresher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace latchkey::session {
namespace {

using std::chrono::milliseconds;

TEST(CacheRefresher, RunPendingRefreshesEachRequestOnce) {
  std::vector<std::string> seen;
  CacheRefresher refresher([&](const TokenHash& h) { seen.push_back(h.value()); },
                           std::chrono::hours(1), 2);
  EXPECT_TRUE(refresher.Request(session::TokenHash("a")));
  EXPECT_TRUE(refresher.Request(session::TokenHash("b")));
  EXPECT_FALSE(refresher.Request(session::TokenHash("c"))) << "at most max_pending queued";
  EXPECT_EQ(refresher.pending(), 2u);
  EXPECT_EQ(refresher.RunPending(), 2u);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(refresher.pending(), 0u);
  EXPECT_EQ(refresher.RunPending(), 0u);
}

TEST(CacheRefresher, ItsThreadRunsRequestsWithinTheInterval) {
  std::mutex mu;
  std::vector<std::string> seen;
  CacheRefresher refresher(
      [&](const TokenHash& h) {
        std::lock_guard lock(mu);
        seen.push_back(h.value());
      },
      milliseconds(20), 10);
  refresher.Request(session::TokenHash("x"));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (!seen.empty() || std::chrono::steady_clock::now() > deadline) break;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, std::vector<std::string>{"x"});
}

TEST(CacheRefresher, StopsWithoutRunningALongBacklog) {
  std::atomic<int> runs{0};
  auto start = std::chrono::steady_clock::now();
  {
    CacheRefresher refresher(
        [&](const TokenHash&) {
          ++runs;
          std::this_thread::sleep_for(milliseconds(5));
        },
        milliseconds(1), 10000);
    for (int i = 0; i < 10000; ++i) refresher.Request(session::TokenHash("h" + std::to_string(i)));
    std::this_thread::sleep_for(milliseconds(30));
  }
  // 10,000 runs of 5 ms would take 50 s; the destructor stops after the refresh under way.
  EXPECT_LT(runs.load(), 10000);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace latchkey::session
