// Wall-clock time, in whole seconds (most of the server) or milliseconds (throttling, where a
// lock of "1 s" must last a second), behind an interface so that tests can use a fake clock.
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace latchkey {

// A length of time in whole seconds: lifetimes, timeouts, intervals, windows.
using Seconds = std::chrono::seconds;

// An instant in whole seconds since the Unix epoch (UTC). An instant and a length of time are
// different types: adding two instants, or storing a timeout where an expiry belongs, does not
// compile. The epoch itself (UnixTime{}) stands for "never" where a field says so.
using UnixTime = std::chrono::sys_seconds;

// The instant `seconds` after the epoch, and back: for the stores' integer columns and the
// wire formats only.
constexpr UnixTime FromUnixSeconds(std::int64_t seconds) { return UnixTime(Seconds(seconds)); }
constexpr std::int64_t ToUnixSeconds(UnixTime t) { return t.time_since_epoch().count(); }

// Lengths and instants at millisecond precision, for what whole seconds would blur: a lock that
// must last its full delay, not end up to a second early.
using Milliseconds = std::chrono::milliseconds;
using UnixTimeMs = std::chrono::sys_time<Milliseconds>;
constexpr UnixTimeMs FromUnixMillis(std::int64_t ms) { return UnixTimeMs(Milliseconds(ms)); }
constexpr std::int64_t ToUnixMillis(UnixTimeMs t) { return t.time_since_epoch().count(); }

class Clock {
 public:
  virtual ~Clock() = default;
  // The time to the millisecond.
  virtual UnixTimeMs NowMs() const = 0;
  // The time in whole seconds (rounded down).
  UnixTime Now() const { return std::chrono::floor<Seconds>(NowMs()); }
};

class SystemClock final : public Clock {
 public:
  UnixTimeMs NowMs() const override {
    return std::chrono::floor<Milliseconds>(std::chrono::system_clock::now());
  }
};

// A clock that only moves when told to; for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixTime start = FromUnixSeconds(1'700'000'000))
      : now_ms_(ToUnixMillis(start)) {}
  UnixTimeMs NowMs() const override { return FromUnixMillis(now_ms_.load()); }
  // Seconds convert to Milliseconds implicitly: Advance(Seconds(5)), Advance(Milliseconds(250)).
  void Advance(Milliseconds by) { now_ms_ += by.count(); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace latchkey
