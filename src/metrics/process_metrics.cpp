#include "metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace latchkey::metrics {
namespace {

// Taken during static initialisation, before main: the process's start to within
// milliseconds (not when /metrics was set up, after migrations and key loading).
const double kProcessStarted =
    std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();

double ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0;
  long pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return static_cast<double>(pages_resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

double OpenFds() {
  std::error_code ec;
  double n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  return n > 0 ? n - 1 : 0;  // the iterator's own descriptor
}

double MaxFds() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  return static_cast<double>(limit.rlim_cur);
}

}  // namespace

void AddProcessMetrics(Registry& registry) {
  const double started = kProcessStarted;
  registry.AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                    ResidentBytes);
  registry.AddGauge("process_open_fds", "Open file descriptors.", OpenFds);
  registry.AddGauge("process_max_fds", "The open file descriptor limit (soft).", MaxFds);
  registry.AddGauge("process_start_time_seconds",
                    "Start time of the process since the Unix epoch, in seconds.",
                    [started] { return started; });
}

}  // namespace latchkey::metrics
