#include "base/batched_log_sink.h"

#include <poll.h>
#include <pthread.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/fmt/fmt.h>
#include <spdlog/pattern_formatter.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace latchkey {
namespace {

std::atomic<std::uint64_t> next_sink_id{1};

}  // namespace

// One thread's lines. Only that thread writes tail_, its bytes and dropped_; only the writer
// thread writes head_. Positions count bytes since the start and never wrap (64 bits).
struct BatchedLogSink::Ring {
  Ring(std::size_t capacity, std::unique_ptr<spdlog::formatter> f, std::uint64_t version)
      : data(new char[capacity]),
        mask(capacity - 1),
        formatter(std::move(f)),
        formatter_version(version) {}

  // Producer: appends the whole line or nothing (then counts it as dropped).
  void Push(const char* line, std::size_t size) {
    std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    if (tail + size - cached_head_ > mask + 1) {
      cached_head_ = head_.load(std::memory_order_acquire);
      if (tail + size - cached_head_ > mask + 1) {
        dropped_.store(dropped_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        return;
      }
    }
    std::size_t at = tail & mask;
    std::size_t first = std::min(size, mask + 1 - at);
    std::memcpy(data.get() + at, line, first);
    std::memcpy(data.get(), line + first, size - first);
    tail_.store(tail + size, std::memory_order_release);
  }

  // Consumer: appends what is queued to `out` and frees its space.
  void Drain(std::string& out) {
    std::uint64_t tail = tail_.load(std::memory_order_acquire);
    std::uint64_t head = head_.load(std::memory_order_relaxed);
    if (tail == head) return;
    std::size_t at = head & mask;
    std::size_t size = tail - head;
    std::size_t first = std::min(size, mask + 1 - at);
    out.append(data.get() + at, first);
    out.append(data.get(), size - first);
    head_.store(tail, std::memory_order_release);
  }

  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  const std::unique_ptr<char[]> data;
  const std::size_t mask;
  std::unique_ptr<spdlog::formatter> formatter;  // producer's
  std::uint64_t formatter_version;               // producer's
  spdlog::memory_buf_t line;                     // producer's scratch
  std::atomic<bool> retired{false};              // its thread exited (or moved to a new sink)

 private:
  alignas(64) std::atomic<std::uint64_t> head_{0};
  alignas(64) std::atomic<std::uint64_t> tail_{0};
  std::uint64_t cached_head_ = 0;
  std::atomic<std::uint64_t> dropped_{0};
};

namespace {

// The calling thread's ring of one sink; marks it retired when the thread exits.
struct LocalRing {
  std::uint64_t sink_id = 0;
  std::shared_ptr<void> ring;  // a BatchedLogSink::Ring
  std::atomic<bool>* retired = nullptr;

  ~LocalRing() {
    if (retired) retired->store(true, std::memory_order_release);
  }
};

thread_local LocalRing local_ring;

}  // namespace

BatchedLogSink::BatchedLogSink(int fd, std::size_t ring_bytes, std::chrono::milliseconds interval)
    : fd_(fd),
      ring_bytes_(std::bit_ceil(std::max<std::size_t>(ring_bytes, 4096))),
      interval_(interval),
      id_(next_sink_id.fetch_add(1, std::memory_order_relaxed)),
      formatter_(std::make_unique<spdlog::pattern_formatter>()) {
  writer_ = std::thread([this] { Run(); });
}

BatchedLogSink::~BatchedLogSink() { Stop(); }

BatchedLogSink::Ring* BatchedLogSink::LocalRing() {
  std::uint64_t version = formatter_version_.load(std::memory_order_acquire);
  if (local_ring.sink_id == id_) {
    auto* ring = static_cast<Ring*>(local_ring.ring.get());
    if (ring->formatter_version != version) {
      std::lock_guard lock(formatter_mutex_);
      ring->formatter = formatter_->clone();
      ring->formatter_version = formatter_version_.load(std::memory_order_relaxed);
    }
    return ring;
  }
  std::unique_ptr<spdlog::formatter> f;
  {
    std::lock_guard lock(formatter_mutex_);
    f = formatter_->clone();
    version = formatter_version_.load(std::memory_order_relaxed);
  }
  auto ring = std::make_shared<Ring>(ring_bytes_, std::move(f), version);
  {
    std::lock_guard lock(rings_mutex_);
    rings_.push_back(ring);
  }
  if (local_ring.retired) local_ring.retired->store(true, std::memory_order_release);
  local_ring.sink_id = id_;
  local_ring.ring = ring;
  local_ring.retired = &ring->retired;
  return ring.get();
}

void BatchedLogSink::log(const spdlog::details::log_msg& msg) {
  if (stopped_.load(std::memory_order_acquire)) {
    spdlog::memory_buf_t line;
    {
      std::lock_guard lock(formatter_mutex_);
      formatter_->format(msg, line);
    }
    std::lock_guard lock(direct_mutex_);
    WriteAll(line.data(), line.size());
    return;
  }
  Ring* ring = LocalRing();  // kept alive by the thread-local cache
  ring->line.clear();
  ring->formatter->format(msg, ring->line);
  ring->Push(ring->line.data(), ring->line.size());
  if (msg.level >= spdlog::level::warn) Wake();
}

void BatchedLogSink::Wake() {
  if (!wake_pending_.exchange(true, std::memory_order_acq_rel)) wake_.release();
}

void BatchedLogSink::flush() {
  if (stopped_.load(std::memory_order_acquire)) return;
  std::uint64_t ticket = flush_requests_.fetch_add(1, std::memory_order_acq_rel) + 1;
  Wake();
  std::unique_lock lock(flush_mutex_);
  flush_cv_.wait(lock, [&] { return flushed_ >= ticket; });
}

void BatchedLogSink::set_pattern(const std::string& pattern) {
  set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern));
}

void BatchedLogSink::set_formatter(std::unique_ptr<spdlog::formatter> sink_formatter) {
  std::lock_guard lock(formatter_mutex_);
  formatter_ = std::move(sink_formatter);
  formatter_version_.fetch_add(1, std::memory_order_release);
}

void BatchedLogSink::Stop() {
  if (stopping_.exchange(true)) {
    if (writer_.joinable()) writer_.join();
    return;
  }
  Wake();
  writer_.join();
}

std::uint64_t BatchedLogSink::dropped() const {
  std::uint64_t n = write_dropped_.load(std::memory_order_relaxed) +
                    retired_dropped_.load(std::memory_order_relaxed);
  std::lock_guard lock(rings_mutex_);
  for (const auto& ring : rings_) n += ring->dropped();
  return n;
}

void BatchedLogSink::WriteAll(const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {  // a non-blocking pipe
      pollfd out{fd_, POLLOUT, 0};
      if (::poll(&out, 1, 1000) > 0) continue;  // this thread may wait; a logging one never does
    }
    if (n <= 0) {  // nowhere to write: count the lines instead
      auto lines = static_cast<std::uint64_t>(std::count(data, data + size, '\n'));
      write_dropped_.fetch_add(std::max<std::uint64_t>(lines, 1), std::memory_order_relaxed);
      return;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void BatchedLogSink::Run() {
  ::pthread_setname_np(::pthread_self(), "log-writer");  // top -H, perf, /proc/<pid>/task
  std::string batch;
  std::vector<std::shared_ptr<Ring>> rings;
  std::unique_ptr<spdlog::formatter> formatter;  // for the writer's own "dropped" warning
  std::uint64_t reported_dropped = 0;
  for (;;) {
    (void)wake_.try_acquire_for(interval_);
    // Reading the flag with a read-modify-write makes the lines pushed before a Wake() that
    // found it already set visible here (that Wake's exchange is the value read).
    wake_pending_.exchange(false, std::memory_order_acq_rel);
    bool stopping = stopping_.load(std::memory_order_acquire);
    std::uint64_t flush_ticket = flush_requests_.load(std::memory_order_acquire);
    {
      std::lock_guard lock(rings_mutex_);
      rings = rings_;
    }
    batch.clear();
    std::uint64_t dropped = write_dropped_.load(std::memory_order_relaxed) +
                            retired_dropped_.load(std::memory_order_relaxed);
    bool any_retired = false;
    for (const auto& ring : rings) {
      ring->Drain(batch);
      dropped += ring->dropped();
      // Retired: its thread logs no more; one more drain below (after the flag was seen)
      // takes what it pushed last.
      any_retired = any_retired || ring->retired.load(std::memory_order_acquire);
    }
    if (any_retired) {
      std::lock_guard lock(rings_mutex_);
      std::erase_if(rings_, [&](const std::shared_ptr<Ring>& ring) {
        if (!ring->retired.load(std::memory_order_acquire)) return false;
        ring->Drain(batch);
        retired_dropped_.fetch_add(ring->dropped(), std::memory_order_relaxed);
        return true;
      });
    }
    rings.clear();
    if (dropped > reported_dropped) {
      if (!formatter) {
        std::lock_guard lock(formatter_mutex_);
        formatter = formatter_->clone();
      }
      std::string text = fmt::format(
          "log lines dropped: {} since the last report, {} in all "
          "(latchkey_log_lines_dropped_total; the log writer fell behind)",
          dropped - reported_dropped, dropped);
      spdlog::details::log_msg msg(spdlog::source_loc{}, std::string_view(), spdlog::level::warn,
                                   text);
      spdlog::memory_buf_t line;
      formatter->format(msg, line);
      batch.append(line.data(), line.size());
      reported_dropped = dropped;
    }
    if (!batch.empty()) WriteAll(batch.data(), batch.size());
    if (batch.capacity() > (std::size_t{4} << 20)) std::string().swap(batch);  // after a burst
    {
      std::lock_guard lock(flush_mutex_);
      flushed_ = flush_ticket;
    }
    flush_cv_.notify_all();
    if (stopping) break;
  }
  stopped_.store(true, std::memory_order_seq_cst);
  // What a thread pushed while the last round ran (it saw stopped_ false just before).
  batch.clear();
  {
    std::lock_guard lock(rings_mutex_);
    for (const auto& ring : rings_) ring->Drain(batch);
  }
  if (!batch.empty()) WriteAll(batch.data(), batch.size());
  // A flush() that raced with the stop: it waits for a ticket no round will take.
  {
    std::lock_guard lock(flush_mutex_);
    flushed_ = UINT64_MAX;
  }
  flush_cv_.notify_all();
}

}  // namespace latchkey
