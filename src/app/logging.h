// Logging setup: one process-wide spdlog logger, text or JSON (--log-format), asynchronous so
// that writing a line never blocks an I/O thread.
//
// Text: "[time] [level] message" (spdlog's default pattern); request and auth-event lines are
// "event key=value ..." (base/log_fields.h). JSON: one object per line,
// {"ts":"2026-01-02T03:04:05.678Z","level":"info","msg":"..."} for ordinary lines, and for
// request and auth-event lines {"ts":..,"level":..,"event":"request","method":..,...}.
// The queue holds kLogQueueLines; when a burst outruns the writer the oldest queued lines are
// dropped rather than making an I/O thread wait (spdlog overrun_oldest). Every line is flushed
// by the writer thread, so a reader of stdout sees it at once.
// Thread-safety: SetupLogging and ShutdownLogging from main(), before and after other threads.
#pragma once

#include <string>

namespace latchkey::app {

inline constexpr std::size_t kLogQueueLines = 8192;

// format: "text" or "json"; level: spdlog level name; to_stderr: log to stderr instead of
// stdout (`export` writes its data to stdout). Throws std::invalid_argument on a bad format.
void SetupLogging(const std::string& format, const std::string& level, bool to_stderr);

// Writes what is queued and stops the writer thread; nothing may log after it.
void ShutdownLogging();

}  // namespace latchkey::app
