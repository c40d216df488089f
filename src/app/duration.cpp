#include "app/duration.h"

#include <charconv>
#include <limits>

namespace latchkey::app {

std::optional<long long> ParseDuration(std::string_view text) {
  long long unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        unit = 0;
        break;  // a bare number of seconds
    }
    if (unit != 0) {
      text.remove_suffix(1);
    } else {
      unit = 1;
    }
  }
  if (text.empty()) return std::nullopt;
  long long n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0) return std::nullopt;
  if (n > std::numeric_limits<long long>::max() / unit) return std::nullopt;
  return n * unit;
}

}  // namespace latchkey::app
