// Timestamps in JSON: RFC 3339 UTC, whole seconds, "2026-11-29T19:50:00Z".
// Thread-safety: pure function (gmtime_r).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace latchkey {

std::string FormatRfc3339(UnixTime t);

// Parses the form FormatRfc3339 writes ("2026-11-29T19:50:00Z", UTC, whole seconds);
// nullopt for anything else.
std::optional<UnixTime> ParseRfc3339(std::string_view text);

}  // namespace latchkey
