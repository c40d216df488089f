// Logging setup: one process-wide spdlog logger, text or JSON (--log-format), whose lines are
// written in batches by a writer thread (base/batched_log_sink.h), so that logging a line never
// blocks an I/O thread nor enters the kernel.
//
// Text: "[time] [level] message" (spdlog's default pattern); request and auth-event lines are
// "event key=value ..." (base/log_fields.h). JSON: one object per line,
// {"ts":"2026-01-02T03:04:05.678Z","level":"info","msg":"..."} for ordinary lines, and for
// request and auth-event lines {"ts":..,"level":..,"event":"request","method":..,...}.
// Each thread that logs has a ring of 1 MiB; the writer writes every 20 ms, and at once after a
// warn+ line. When a burst outruns the writer, new lines are dropped rather than making an I/O
// thread wait, and counted (LogLinesDropped, latchkey_log_lines_dropped_total, and a warning
// line). `kill -9` loses at most the last 20 ms of lines.
// Thread-safety: SetupLogging and ShutdownLogging from main(), before and after other threads;
// LogLinesDropped from any thread.
#pragma once

#include <cstdint>
#include <string>

namespace latchkey::app {

// format: "text" or "json"; level: spdlog level name; to_stderr: log to stderr instead of
// stdout (`export` writes its data to stdout). Throws std::invalid_argument on a bad format.
void SetupLogging(const std::string& format, const std::string& level, bool to_stderr);

// Writes what is queued and stops the writer thread; nothing may log after it.
void ShutdownLogging();

// Lines dropped because the writer fell behind (0 before SetupLogging).
std::uint64_t LogLinesDropped();

}  // namespace latchkey::app
