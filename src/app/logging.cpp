#include "app/logging.h"

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "base/batched_log_sink.h"
#include "base/log_fields.h"

namespace latchkey::app {
namespace {

// Set up by SetupLogging, stopped by ShutdownLogging (main() only); read by LogLinesDropped.
std::shared_ptr<BatchedLogSink> log_sink;
std::atomic<BatchedLogSink*> log_sink_raw{nullptr};

// {"ts":..,"level":.., then "msg" or the structured members (base/log_fields.h)}.
// Each logging thread has its own clone (base/batched_log_sink.h), so the date and time of
// the last second are kept here: a line costs no gmtime_r or printf in the same second.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto since = msg.time.time_since_epoch();
    auto secs = static_cast<std::time_t>(duration_cast<seconds>(since).count());
    int millis = static_cast<int>(duration_cast<milliseconds>(since).count() % 1000);
    if (secs != cached_secs_ || cached_size_ == 0) {
      std::tm tm{};
      ::gmtime_r(&secs, &tm);
      int n = std::snprintf(cached_, sizeof cached_, "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.",
                            tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                            tm.tm_sec);
      cached_size_ =
          static_cast<std::size_t>(std::clamp(n, 0, static_cast<int>(sizeof cached_) - 1));
      cached_secs_ = secs;
    }
    dest.append(cached_, cached_ + cached_size_);
    const char ms[] = {static_cast<char>('0' + millis / 100),
                       static_cast<char>('0' + millis / 10 % 10),
                       static_cast<char>('0' + millis % 10)};
    dest.append(ms, ms + sizeof ms);
    static constexpr std::string_view kLevel = "Z\",\"level\":\"";
    dest.append(kLevel.data(), kLevel.data() + kLevel.size());
    auto level = spdlog::level::to_string_view(msg.level);
    dest.append(level.data(), level.data() + level.size());
    static constexpr std::string_view kLevelEnd = "\",";
    dest.append(kLevelEnd.data(), kLevelEnd.data() + kLevelEnd.size());
    std::string_view payload(msg.payload.data(), msg.payload.size());
    if (!payload.empty() && payload.front() == kJsonMembersMarker) {
      payload.remove_prefix(1);
      dest.append(payload.data(), payload.data() + payload.size());
    } else {
      std::string quoted = boost::json::serialize(
          boost::json::value(boost::json::string_view(payload.data(), payload.size())));
      static constexpr std::string_view kMsg = "\"msg\":";
      dest.append(kMsg.data(), kMsg.data() + kMsg.size());
      dest.append(quoted.data(), quoted.data() + quoted.size());
    }
    static constexpr std::string_view kEnd = "}\n";
    dest.append(kEnd.data(), kEnd.data() + kEnd.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }

 private:
  std::time_t cached_secs_ = 0;
  std::size_t cached_size_ = 0;
  char cached_[64];  // {"ts":"YYYY-MM-DDTHH:MM:SS.
};

}  // namespace

void SetupLogging(const std::string& format, const std::string& level, bool to_stderr) {
  bool json = format == "json";
  if (!json && format != "text") {
    throw std::invalid_argument("--log-format must be text or json, got '" + format + "'");
  }
  SetLogFormat(json ? LogFormat::kJson : LogFormat::kText);
  auto sink = std::make_shared<BatchedLogSink>(to_stderr ? STDERR_FILENO : STDOUT_FILENO);
  // Unnamed, like spdlog's default logger: text lines stay "[time] [level] message".
  auto logger = std::make_shared<spdlog::logger>("", sink);
  if (json) logger->set_formatter(std::make_unique<JsonFormatter>());
  logger->set_level(spdlog::level::from_str(level));
  // No flush_on: a flush waits for the writer; warn+ lines wake it instead (batched_log_sink.h).
  spdlog::set_default_logger(std::move(logger));
  log_sink_raw.store(sink.get(), std::memory_order_release);
  log_sink = std::move(sink);
}

void ShutdownLogging() {
  spdlog::shutdown();  // flushes, then drops the logger
  if (log_sink) log_sink->Stop();
  // log_sink stays (stopped: it writes directly) for LogLinesDropped and late lines.
}

std::uint64_t LogLinesDropped() {
  BatchedLogSink* sink = log_sink_raw.load(std::memory_order_acquire);
  return sink ? sink->dropped() : 0;
}

}  // namespace latchkey::app
