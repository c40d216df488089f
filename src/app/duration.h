// Durations in configuration: "<n><unit>" with unit s, m, h or d ("30d", "2h", "90s"), or a
// bare number of seconds. Thread-safety: pure function.
#pragma once

#include <optional>
#include <string_view>

namespace latchkey::app {

// Seconds; nullopt for anything else (negative, empty, overflow, unknown unit).
std::optional<long long> ParseDuration(std::string_view text);

}  // namespace latchkey::app
