// Process metrics, read at scrape time from /proc (Linux): resident memory, open file
// descriptors, start time. Names follow the Prometheus client conventions (process_*).
// Thread-safety: the gauges may be read from any thread.
#pragma once

#include "metrics/registry.h"

namespace latchkey::metrics {

// Adds process_resident_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds (Unix seconds, taken when this is called) to `registry`.
void AddProcessMetrics(Registry& registry);

}  // namespace latchkey::metrics
