// Timestamps in JSON: RFC 3339 UTC, whole seconds, "2026-11-29T19:50:00Z".
// Thread-safety: pure function (gmtime_r).
#pragma once

#include <string>

#include "base/clock.h"

namespace latchkey {

std::string FormatRfc3339(UnixSeconds t);

}  // namespace latchkey
