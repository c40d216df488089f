// Structured log lines (one per request, one per auth event) in the format the operator chose
// (--log-format): text "event key=value ..." (logfmt-like; values with spaces, quotes, '=' or
// control characters are JSON-quoted), or JSON, where the line's fields become members of the
// one object per line that app/logging.cpp writes. Values are escaped, never trusted: a
// client-controlled value cannot forge a second line (OWASP Logging Cheat Sheet).
// Callers log identifiers only, never a password, token, cookie or CSRF value.
//
// Cost: nothing but the level check when the level filters the line out; else the line is
// built in a thread-local buffer (no allocation once it has grown) and handed to the logger
// as it is (app/logging.h: the calling thread formats it and queues it without a lock).
// Thread-safety: SetLogFormat at startup, before other threads log; LogEvent from any thread.
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace latchkey {

enum class LogFormat { kText, kJson };

void SetLogFormat(LogFormat format);
LogFormat GetLogFormat();

// Starts a JSON-format message whose rest is object members (`"k":v,...`), not text: the
// JSON formatter (app/logging.cpp) inserts them as they are instead of as "msg".
inline constexpr char kJsonMembersMarker = '\x1f';

// A number printed with three decimals (durations in milliseconds).
struct Fixed3 {
  double value;
};

struct LogField {
  std::string_view key;  // [a-z_]+, ours
  std::variant<std::string_view, std::int64_t, Fixed3> value;
};

// The line for `event` with `fields`, as text or JSON members (see above).
std::string FormatEvent(LogFormat format, std::string_view event,
                        std::initializer_list<LogField> fields);

// Logs FormatEvent(GetLogFormat(), ...) at `level`, if that level is enabled.
void LogEvent(spdlog::level::level_enum level, std::string_view event,
              std::initializer_list<LogField> fields);

}  // namespace latchkey
