#include "base/log_fields.h"

#include <atomic>
#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>
#include <boost/json/value.hpp>
#include <cstdio>

namespace latchkey {
namespace {

std::atomic<LogFormat> log_format{LogFormat::kText};

bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '"' || c == '=' || c == '\\') return true;
  }
  return false;
}

std::string Quoted(std::string_view s) {
  return boost::json::serialize(boost::json::value(boost::json::string_view(s.data(), s.size())));
}

void AppendValue(std::string& out, const LogField& field, bool json) {
  if (const auto* s = std::get_if<std::string_view>(&field.value)) {
    out += json || NeedsQuotes(*s) ? Quoted(*s) : std::string(*s);
  } else if (const auto* i = std::get_if<std::int64_t>(&field.value)) {
    out += std::to_string(*i);
  } else {
    char buf[48];
    int n = std::snprintf(buf, sizeof buf, "%.3f", std::get<Fixed3>(field.value).value);
    out.append(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  }
}

}  // namespace

void SetLogFormat(LogFormat format) { log_format.store(format, std::memory_order_relaxed); }

LogFormat GetLogFormat() { return log_format.load(std::memory_order_relaxed); }

std::string FormatEvent(LogFormat format, std::string_view event,
                        std::initializer_list<LogField> fields) {
  std::string out;
  out.reserve(160);
  if (format == LogFormat::kJson) {
    out += kJsonMembersMarker;
    out += "\"event\":";
    out += Quoted(event);
    for (const LogField& f : fields) {
      out += ",\"";
      out += f.key;
      out += "\":";
      AppendValue(out, f, true);
    }
  } else {
    out += event;
    for (const LogField& f : fields) {
      out += ' ';
      out += f.key;
      out += '=';
      AppendValue(out, f, false);
    }
  }
  return out;
}

void LogEvent(spdlog::level::level_enum level, std::string_view event,
              std::initializer_list<LogField> fields) {
  if (!spdlog::should_log(level)) return;
  spdlog::log(level, "{}", FormatEvent(GetLogFormat(), event, fields));
}

}  // namespace latchkey
