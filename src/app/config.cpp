#include "app/config.h"

#include <charconv>
#include <stdexcept>
#include <thread>

#include "app/duration.h"

namespace latchkey::app {
namespace {

void SplitListen(const std::string& listen, std::string& host, unsigned short& port) {
  std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    throw std::invalid_argument("--listen must be host:port, got '" + listen + "'");
  }
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string_view digits(listen.data() + colon + 1, listen.size() - colon - 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value > 65535 || host.empty()) {
    throw std::invalid_argument("--listen must be host:port, got '" + listen + "'");
  }
  port = static_cast<unsigned short>(value);
}

long long DurationFlag(const std::string& flag, const std::string& value, long long min_seconds) {
  auto seconds = ParseDuration(value);
  if (!seconds || *seconds < min_seconds) {
    throw std::invalid_argument(flag + " must be a duration of at least " +
                                std::to_string(min_seconds) + "s (e.g. 30d, 2h, 90s), got '" +
                                value + "'");
  }
  return *seconds;
}

}  // namespace

Settings Resolve(const ServeConfig& c) {
  Settings s;
  SplitListen(c.listen, s.host, s.port);
  if (c.data_dir.empty()) throw std::invalid_argument("--data-dir must not be empty");
  s.data_dir = c.data_dir;
  s.web_root = c.web_root;
  s.secret_file = c.secret_file.empty() ? c.data_dir + "/secret.key" : c.secret_file;
  s.database_path = c.data_dir + "/latchkey.db";
  s.cookie_max_age_seconds = DurationFlag("--cookie-max-age", c.cookie_max_age, 60);
  s.session_lifetime_seconds = DurationFlag("--session-lifetime", c.session_lifetime, 1);
  s.session_idle_timeout_seconds =
      DurationFlag("--session-idle-timeout", c.session_idle_timeout, 1);
  s.session_idle_timeout_short_seconds =
      DurationFlag("--session-idle-timeout-short", c.session_idle_timeout_short, 1);
  s.session_sweep_interval_seconds =
      DurationFlag("--session-sweep-interval", c.session_sweep_interval, 1);
  if (!crypto::ParsePasswordAlgorithm(c.password_hash, s.password_algorithm)) {
    throw std::invalid_argument("--password-hash must be argon2id or bcrypt");
  }
  s.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (c.threads < 0 || c.threads > 256) throw std::invalid_argument("--threads must be 0-256");
  s.io_threads = c.threads == 0 ? s.cores : c.threads;
  return s;
}

}  // namespace latchkey::app
