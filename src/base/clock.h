// Wall-clock time in whole seconds, behind an interface so that tests can use a fake clock.
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

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixTime Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixTime Now() const override {
    return std::chrono::floor<Seconds>(std::chrono::system_clock::now());
  }
};

// A clock that only moves when told to; for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixTime start = FromUnixSeconds(1'700'000'000))
      : now_(ToUnixSeconds(start)) {}
  UnixTime Now() const override { return FromUnixSeconds(now_.load()); }
  void Advance(Seconds by) { now_ += by.count(); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace latchkey
