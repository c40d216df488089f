// PeriodicWorker: runs its callback every interval (first at start or after one interval),
// runs early when woken, stops promptly while waiting and after a run under way, and never
// runs the callback twice at once. Every wait here is bounded.
#include "base/periodic_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace latchkey {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

// Polls until pred() holds or 10 s pass.
template <typename Pred>
bool Eventually(Pred pred) {
  auto deadline = steady_clock::now() + seconds(10);
  while (!pred()) {
    if (steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

TEST(PeriodicWorker, RunsEveryInterval) {
  std::atomic<int> runs{0};
  auto start = steady_clock::now();
  PeriodicWorker worker(milliseconds(20), [&] { ++runs; });
  EXPECT_TRUE(Eventually([&] { return runs.load() >= 3; }));
  EXPECT_GE(steady_clock::now() - start, milliseconds(60)) << "an interval before each run";
}

TEST(PeriodicWorker, FirstRunWaitsForTheIntervalUnlessAtStart) {
  std::atomic<int> later{0};
  std::atomic<int> at_start{0};
  PeriodicWorker waits(hours(1), [&] { ++later; });
  PeriodicWorker runs_now(
      hours(1), [&] { ++at_start; }, PeriodicWorker::FirstRun::kAtStart);
  EXPECT_TRUE(Eventually([&] { return at_start.load() == 1; }));
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(later.load(), 0);
  EXPECT_EQ(at_start.load(), 1) << "then once an hour";
}

TEST(PeriodicWorker, WakeRunsBeforeTheInterval) {
  std::atomic<int> runs{0};
  PeriodicWorker worker(hours(1), [&] { ++runs; });
  worker.Wake();
  EXPECT_TRUE(Eventually([&] { return runs.load() == 1; }));
  worker.Wake();
  EXPECT_TRUE(Eventually([&] { return runs.load() == 2; }));
}

TEST(PeriodicWorker, WakeDuringARunRunsOnceMore) {
  std::atomic<int> runs{0};
  std::atomic<bool> release{false};
  PeriodicWorker worker(hours(1), [&] {
    ++runs;
    Eventually([&] { return release.load(); });
  });
  worker.Wake();
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1; }));
  worker.Wake();  // while the first run is under way
  release = true;
  EXPECT_TRUE(Eventually([&] { return runs.load() == 2; }));
}

TEST(PeriodicWorker, StopsPromptlyWhileWaiting) {
  std::atomic<int> runs{0};
  auto start = steady_clock::now();
  {
    PeriodicWorker worker(hours(1), [&] { ++runs; });
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_LT(steady_clock::now() - start, seconds(5));
  EXPECT_EQ(runs.load(), 0) << "stopping is not a run";
}

TEST(PeriodicWorker, StopWaitsForTheRunUnderWayAndNoneStartsAfter) {
  std::atomic<int> runs{0};
  std::atomic<bool> inside{false};
  std::atomic<bool> saw_stopping{false};
  PeriodicWorker* self = nullptr;
  PeriodicWorker worker(hours(1), [&] {  // runs when woken, after `self` is set
    ++runs;
    inside = true;
    // A long run that ends when it sees the worker stopping (or after 10 s).
    saw_stopping = Eventually([&] { return self->stopping(); });
    inside = false;
  });
  self = &worker;
  worker.Wake();
  ASSERT_TRUE(Eventually([&] { return inside.load(); }));
  auto start = steady_clock::now();
  worker.Stop();
  EXPECT_LT(steady_clock::now() - start, seconds(5));
  EXPECT_TRUE(saw_stopping.load());
  EXPECT_FALSE(inside.load()) << "Stop returns after the run under way";
  int after_stop = runs.load();
  worker.Wake();
  worker.Stop();  // a second Stop is harmless
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(runs.load(), after_stop) << "no run after Stop";
  EXPECT_TRUE(*worker.cancel_flag());
}

TEST(PeriodicWorker, NeverRunsConcurrentlyWithItself) {
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> runs{0};
  {
    PeriodicWorker worker(milliseconds(0), [&] {
      if (inside.fetch_add(1) != 0) ++overlaps;
      std::this_thread::sleep_for(milliseconds(1));
      inside.fetch_sub(1);
      ++runs;
    });
    std::thread waker([&] {
      for (int i = 0; i < 200; ++i) worker.Wake();
    });
    std::thread stopper([&] {
      Eventually([&] { return runs.load() >= 20; });
      worker.Stop();
    });
    waker.join();
    stopper.join();
  }
  EXPECT_GE(runs.load(), 20);
  EXPECT_EQ(overlaps.load(), 0);
}

}  // namespace
}  // namespace latchkey
