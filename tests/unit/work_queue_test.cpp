// WorkQueue: runs posted jobs in order on its own thread, refuses a job beyond its capacity
// (the caller runs it), survives a throwing job, Drain waits for the jobs posted before it,
// and the destructor runs what is still queued. Every wait here is bounded by the job itself.
#include "base/work_queue.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace latchkey {
namespace {

TEST(WorkQueue, RunsJobsInOrderOnItsOwnThread) {
  std::mutex mu;
  std::vector<int> order;
  std::thread::id ran_on;
  WorkQueue queue(16);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(queue.Post([&, i] {
      std::lock_guard lock(mu);
      order.push_back(i);
      ran_on = std::this_thread::get_id();
    }));
  }
  queue.Drain();
  std::lock_guard lock(mu);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

TEST(WorkQueue, RefusesBeyondCapacityWhileAJobRuns) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  WorkQueue queue(2);
  ASSERT_TRUE(queue.Post([&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();  // the first job runs: the queue is empty again
  EXPECT_TRUE(queue.Post([] {}));
  EXPECT_TRUE(queue.Post([] {}));
  EXPECT_FALSE(queue.Post([] {})) << "two jobs wait: the third is the caller's to run";
  release.set_value();
  queue.Drain();
  EXPECT_TRUE(queue.Post([] {})) << "room again once they ran";
}

TEST(WorkQueue, AThrowingJobIsLoggedAndTheNextOneStillRuns) {
  bool ran = false;
  WorkQueue queue(4);
  ASSERT_TRUE(queue.Post([] { throw std::runtime_error("a bug"); }));
  ASSERT_TRUE(queue.Post([&] { ran = true; }));
  queue.Drain();
  EXPECT_TRUE(ran);
}

TEST(WorkQueue, DestructorRunsWhatIsStillQueued) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  int runs = 0;
  {
    WorkQueue queue(8);
    ASSERT_TRUE(queue.Post([&] { released.wait(); }));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(queue.Post([&] { ++runs; }));
    release.set_value();
  }
  EXPECT_EQ(runs, 3);
}

}  // namespace
}  // namespace latchkey
