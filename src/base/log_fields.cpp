#include "base/log_fields.h"

#include <algorithm>
#include <atomic>
#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <system_error>

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

// As a JSON string. Most values (ids, routes, addresses) need no escape: those are copied as
// they are, the rest go through Boost.JSON's serializer.
void AppendQuoted(std::string& out, std::string_view s) {
  bool plain = std::none_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\';
  });
  if (!plain) {
    out += boost::json::serialize(boost::json::value(boost::json::string_view(s.data(), s.size())));
    return;
  }
  out += '"';
  out.append(s);
  out += '"';
}

// Appends without a temporary string (a request line is formatted on an I/O thread).
void AppendValue(std::string& out, const LogField& field, bool json) {
  char buf[64];
  std::to_chars_result r{buf, std::errc()};
  if (const auto* s = std::get_if<std::string_view>(&field.value)) {
    if (json || NeedsQuotes(*s)) {
      AppendQuoted(out, *s);
    } else {
      out.append(*s);
    }
    return;
  } else if (const auto* i = std::get_if<std::int64_t>(&field.value)) {
    r = std::to_chars(buf, buf + sizeof buf, *i);
  } else {  // as printf's "%.3f" (correctly rounded), without its locale and stdio machinery
    r = std::to_chars(buf, buf + sizeof buf, std::get<Fixed3>(field.value).value,
                      std::chars_format::fixed, 3);
  }
  if (r.ec == std::errc()) out.append(buf, r.ptr);
}

void AppendEvent(std::string& out, LogFormat format, std::string_view event,
                 std::initializer_list<LogField> fields) {
  if (format == LogFormat::kJson) {
    out += kJsonMembersMarker;
    out += "\"event\":";
    AppendQuoted(out, event);
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
}

}  // namespace

void SetLogFormat(LogFormat format) { log_format.store(format, std::memory_order_relaxed); }

LogFormat GetLogFormat() { return log_format.load(std::memory_order_relaxed); }

std::string FormatEvent(LogFormat format, std::string_view event,
                        std::initializer_list<LogField> fields) {
  std::string out;
  out.reserve(160);
  AppendEvent(out, format, event, fields);
  return out;
}

void LogEvent(spdlog::level::level_enum level, std::string_view event,
              std::initializer_list<LogField> fields) {
  if (!spdlog::should_log(level)) return;
  thread_local std::string line;  // keeps its capacity: no allocation per line
  line.clear();
  AppendEvent(line, GetLogFormat(), event, fields);
  // As it is (no "{}" formatting pass): the sink copies it.
  spdlog::default_logger_raw()->log(level, spdlog::string_view_t(line.data(), line.size()));
  if (line.capacity() > 4096) std::string().swap(line);  // after an unusually long line
}

}  // namespace latchkey
