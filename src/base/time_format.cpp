#include "base/time_format.h"

#include <ctime>

namespace latchkey {

std::string FormatRfc3339(UnixTime t) {
  std::time_t tt = static_cast<std::time_t>(ToUnixSeconds(t));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

std::optional<UnixTime> ParseRfc3339(std::string_view text) {
  if (text.size() != 20) return std::nullopt;
  std::string copy(text);
  std::tm tm{};
  const char* end = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  UnixTime t = FromUnixSeconds(timegm(&tm));
  if (FormatRfc3339(t) != text) return std::nullopt;  // out-of-range fields normalised away
  return t;
}

}  // namespace latchkey
