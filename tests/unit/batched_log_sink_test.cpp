#include "base/batched_log_sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

namespace latchkey {
namespace {

using namespace std::chrono_literals;

// A log file in a temporary directory and a logger writing to it through a BatchedLogSink.
class SinkFixture {
 public:
  explicit SinkFixture(std::size_t ring_bytes = BatchedLogSink::kDefaultRingBytes,
                       std::chrono::milliseconds interval = 10ms)
      : path_((dir_.path() / "log.txt").string()),
        fd_(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600)),
        sink_(std::make_shared<BatchedLogSink>(fd_, ring_bytes, interval)),
        logger_(std::make_shared<spdlog::logger>("", sink_)) {
    sink_->set_pattern("%l %v");
  }
  ~SinkFixture() {
    sink_->Stop();
    ::close(fd_);
  }

  std::string Contents() const {
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  BatchedLogSink& sink() { return *sink_; }
  spdlog::logger& logger() { return *logger_; }

 private:
  testing::TempDir dir_;
  std::string path_;
  int fd_;
  std::shared_ptr<BatchedLogSink> sink_;
  std::shared_ptr<spdlog::logger> logger_;
};

TEST(BatchedLogSink, EveryLineOfEveryThreadInThreadOrder_AfterFlush) {
  SinkFixture f;
  constexpr int kThreads = 4, kLines = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&f, t] {
      for (int i = 0; i < kLines; ++i) f.logger().info("t{} n{}", t, i);
    });
  }
  for (auto& t : threads) t.join();  // their rings are retired: written, then freed
  f.logger().flush();
  std::istringstream lines(f.Contents());
  std::vector<int> next(kThreads, 0);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    int t = 0, n = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "info t%d n%d", &t, &n), 2) << line;
    ASSERT_EQ(n, next[static_cast<std::size_t>(t)]++) << "thread " << t << " out of order";
    ++count;
  }
  EXPECT_EQ(count, kThreads * kLines);
  EXPECT_EQ(f.sink().dropped(), 0u);
}

TEST(BatchedLogSink, WarnLineIsWrittenWithoutWaitingForTheInterval) {
  SinkFixture f(BatchedLogSink::kDefaultRingBytes, 60s);
  f.logger().info("quiet");
  f.logger().warn("loud");
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (f.Contents().find("loud") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(f.Contents(), "info quiet\nwarning loud\n");
}

TEST(BatchedLogSink, FullRingDropsNewLinesAndCountsAndReportsThem) {
  SinkFixture f(4096, 60s);  // the writer only runs when told to
  std::string payload(100, 'x');
  for (int i = 0; i < 100; ++i) f.logger().info("{} {}", i, payload);  // ~10 KB into 4 KB
  std::uint64_t dropped = f.sink().dropped();
  EXPECT_GT(dropped, 50u);
  EXPECT_LT(dropped, 100u);
  f.logger().flush();
  std::string log = f.Contents();
  EXPECT_EQ(log.find("info 0 x"), 0u) << "the oldest lines are kept";
  EXPECT_NE(log.find("warning log lines dropped: " + std::to_string(dropped)), std::string::npos)
      << log;
  f.logger().info("after");
  f.logger().flush();
  EXPECT_NE(f.Contents().find("info after"), std::string::npos);
  EXPECT_EQ(f.sink().dropped(), dropped);
}

TEST(BatchedLogSink, StopWritesWhatIsQueuedAndLaterLinesDirectly) {
  SinkFixture f(BatchedLogSink::kDefaultRingBytes, 60s);
  f.logger().info("queued");
  f.sink().Stop();
  EXPECT_EQ(f.Contents(), "info queued\n");
  f.logger().info("late");
  f.logger().flush();  // returns at once
  EXPECT_EQ(f.Contents(), "info queued\ninfo late\n");
}

TEST(BatchedLogSink, NonBlockingPipeThatFillsUpLosesNothing) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
  std::string received;
  std::thread reader([&] {
    std::this_thread::sleep_for(100ms);  // let the pipe (64 KiB) fill up first
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0)
      received.append(buf, static_cast<std::size_t>(n));
  });
  {
    auto sink = std::make_shared<BatchedLogSink>(fds[1], BatchedLogSink::kDefaultRingBytes, 5ms);
    sink->set_pattern("%v");
    spdlog::logger logger("", sink);
    std::string payload(100, 'y');
    for (int i = 0; i < 3000; ++i) logger.info("{} {}", i, payload);  // ~300 KB
    logger.flush();
    EXPECT_EQ(sink->dropped(), 0u);
    sink->Stop();
  }
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  EXPECT_EQ(std::count(received.begin(), received.end(), '\n'), 3000);
  EXPECT_EQ(received.rfind("2999 y", 0), std::string::npos);
  EXPECT_NE(received.find("\n2999 y"), std::string::npos);
}

}  // namespace
}  // namespace latchkey
