#include "store/postgres/postgres_errors.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>

namespace latchkey::store::postgres {
namespace {

constexpr std::int64_t kOutageLogIntervalMs = 1000;

std::atomic<std::int64_t> last_outage_log_ms{0};
std::atomic<long> outages_not_logged{0};

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Failures that every request meets while the database is down or stalled: lost or refused
// connections (08, none), shutdowns and cancelled statements (57: statement_timeout), too
// many connections (53), lock waits that timed out (55P03).
bool IsOutage(const QueryResult& result) {
  const std::string& state = result.sqlstate();
  return state.empty() || state.starts_with("08") || state.starts_with("57") ||
         state.starts_with("53") || state == "55P03";
}

}  // namespace

Error Unavailable() { return MakeError(Errc::kStorageUnavailable); }

void LogOutage(const char* what, const std::string& message) {
  std::int64_t now = NowMs();
  std::int64_t last = last_outage_log_ms.load();
  if (now - last < kOutageLogIntervalMs || !last_outage_log_ms.compare_exchange_strong(last, now)) {
    ++outages_not_logged;
    return;
  }
  long skipped = outages_not_logged.exchange(0);
  if (skipped > 0) {
    spdlog::error("postgres unavailable: {}: {} ({} similar failures not logged)", what, message,
                  skipped);
  } else {
    spdlog::error("postgres unavailable: {}: {}", what, message);
  }
}

Error StorageError(const QueryResult& result, const char* what) {
  if (IsOutage(result)) {
    LogOutage(what, result.sqlstate().empty()
                        ? result.message()
                        : "SQLSTATE " + result.sqlstate() + ": " + result.message());
  } else if (result.sqlstate().starts_with("22") || result.sqlstate().starts_with("23")) {
    // Data exceptions and constraint violations may quote the offending value in the
    // primary message: name the constraint only.
    spdlog::error("postgres {}: SQLSTATE {} (constraint '{}')", what, result.sqlstate(),
                  result.constraint());
  } else {
    spdlog::error("postgres {}: SQLSTATE {}: {}", what, result.sqlstate(), result.message());
  }
  return Unavailable();
}

Error StorageError(const QueryResult& result, const char* stage, const char* what) {
  return StorageError(result, (std::string(stage) + " " + what).c_str());
}

}  // namespace latchkey::store::postgres
