// A spdlog sink that never makes a logging thread wait or enter the kernel: each thread that
// logs formats its line itself (spdlog's formatter, a clone per thread) into a byte ring of its
// own (single producer, single consumer, lock-free); one writer thread drains every ring each
// `interval` (or at once after a warn+ line, or on flush()) and writes the batch with one
// write(2) to `fd`.
//
// Why (docs/PERFORMANCE.md, "Request logging"): spdlog's async logger takes a mutex and signals
// a condition variable for every line, and its writer thread then wakes, writes and flushes
// that one line: at 40,000 requests/s that is 40,000 wake-ups and write(2)s a second, on a
// machine whose two cores are the I/O threads'. Batching makes it about 50 of each.
//
// Bounded: a ring holds `ring_bytes` (rounded up to a power of two); a line that does not fit
// (the writer fell behind, or one line longer than the ring) is dropped and counted (dropped();
// the writer also logs a warning with the count once it catches up). A ring is allocated on a
// thread's first line and freed once that thread has exited and its ring is written.
// Order: lines of one thread stay in order; lines of different threads written in one batch are
// grouped by thread (each line carries its own time).
// Crash safety: a line is in the kernel (and survives the process) once the writer has written
// it: `kill -9` loses at most the last `interval` of lines (warn+ lines: the time the writer
// needs to wake up, well under a millisecond when a core is free).
//
// Thread-safety: log() from any thread; flush() from any thread but the writer (it blocks until
// what was logged before it is written); set_pattern/set_formatter before other threads log.
// Stop() (also the destructor) writes what is queued and joins the writer; lines logged after
// it are written directly by the logging thread.
#pragma once

#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

namespace latchkey {

class BatchedLogSink final : public spdlog::sinks::sink {
 public:
  static constexpr std::size_t kDefaultRingBytes = std::size_t{1} << 20;
  static constexpr std::chrono::milliseconds kDefaultInterval{20};

  // fd: where lines go (not owned; 1 or 2). The formatter is spdlog's default pattern until
  // set_pattern/set_formatter.
  explicit BatchedLogSink(int fd, std::size_t ring_bytes = kDefaultRingBytes,
                          std::chrono::milliseconds interval = kDefaultInterval);
  ~BatchedLogSink() override;
  BatchedLogSink(const BatchedLogSink&) = delete;
  BatchedLogSink& operator=(const BatchedLogSink&) = delete;

  void log(const spdlog::details::log_msg& msg) override;
  void flush() override;
  void set_pattern(const std::string& pattern) override;
  void set_formatter(std::unique_ptr<spdlog::formatter> sink_formatter) override;

  void Stop();

  // Lines dropped so far (rings full, or a failed write).
  std::uint64_t dropped() const;

 private:
  struct Ring;
  Ring* LocalRing();
  void Wake();
  void Run();
  void WriteAll(const char* data, std::size_t size);

  const int fd_;
  const std::size_t ring_bytes_;
  const std::chrono::milliseconds interval_;
  const std::uint64_t id_;  // tells the thread-local ring cache which sink it belongs to

  std::mutex formatter_mutex_;  // the prototype; each ring clones it
  std::unique_ptr<spdlog::formatter> formatter_;
  std::atomic<std::uint64_t> formatter_version_{0};

  mutable std::mutex
      rings_mutex_;  // registration and the writer's snapshot; never held while writing
  std::vector<std::shared_ptr<Ring>> rings_;

  std::counting_semaphore<> wake_{0};
  std::atomic<bool> wake_pending_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<std::uint64_t> flush_requests_{0};
  std::mutex flush_mutex_;
  std::condition_variable flush_cv_;
  std::uint64_t flushed_ = 0;  // guarded by flush_mutex_
  std::atomic<std::uint64_t> write_dropped_{0};
  std::atomic<std::uint64_t> retired_dropped_{0};  // drops of rings already freed
  std::mutex direct_mutex_;                        // lines logged after Stop()
  std::thread writer_;
};

}  // namespace latchkey
