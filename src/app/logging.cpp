#include "app/logging.h"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "base/log_fields.h"

namespace latchkey::app {
namespace {

// {"ts":..,"level":.., then "msg" or the structured members (base/log_fields.h)}.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto since = msg.time.time_since_epoch();
    std::time_t secs = static_cast<std::time_t>(duration_cast<seconds>(since).count());
    int millis = static_cast<int>(duration_cast<milliseconds>(since).count() % 1000);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    char head[96];
    auto level = spdlog::level::to_string_view(msg.level);
    int n = std::snprintf(head, sizeof head,
                          "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\",\"level\":\"%.*s\",",
                          tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                          tm.tm_sec, millis, static_cast<int>(level.size()), level.data());
    dest.append(head, head + std::max(n, 0));
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
};

}  // namespace

void SetupLogging(const std::string& format, const std::string& level, bool to_stderr) {
  bool json = format == "json";
  if (!json && format != "text") {
    throw std::invalid_argument("--log-format must be text or json, got '" + format + "'");
  }
  SetLogFormat(json ? LogFormat::kJson : LogFormat::kText);
  spdlog::sink_ptr sink;
  if (json) {  // no colour codes inside JSON
    if (to_stderr) {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    }
  } else if (to_stderr) {
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  } else {
    sink = std::make_shared<spdlog::sinks::stdout_color_sink_mt>();
  }
  spdlog::init_thread_pool(kLogQueueLines, 1);
  // Unnamed, like spdlog's default logger: text lines stay "[time] [level] message".
  auto logger = std::make_shared<spdlog::async_logger>(
      "", sink, spdlog::thread_pool(), spdlog::async_overflow_policy::overrun_oldest);
  if (json) logger->set_formatter(std::make_unique<JsonFormatter>());
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);  // on the writer thread: lines reach stdout at once
  spdlog::set_default_logger(std::move(logger));
}

void ShutdownLogging() { spdlog::shutdown(); }

}  // namespace latchkey::app
