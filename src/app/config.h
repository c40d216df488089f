// Configuration of `latchkey serve`: every flag also settable by an environment variable
// LATCHKEY_<FLAG> (flag wins). Parsed with CLI11 in app/cli.cpp; validated here.
#pragma once

#include <string>

#include "crypto/password_hasher.h"

namespace latchkey::app {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";          // host:port, [v6]:port
  std::string data_dir = "./data";                // SQLite file and secret key
  std::string web_root = "./web/dist";            // the built client: index.html + assets/
  std::string secret_file;                        // default <data_dir>/secret.key
  std::string cookie_max_age = "30d";             // Max-Age of the persistent session cookie
  std::string session_lifetime = "30d";           // absolute session lifetime
  std::string session_idle_timeout = "14d";       // idle timeout of "remember me" sessions
  std::string session_idle_timeout_short = "2h";  // idle timeout of browser-session logins
  std::string session_sweep_interval = "10m";     // how often ended sessions are deleted
  std::string log_level = "info";                 // trace, debug, info, warn, error, critical, off
  std::string password_hash = "argon2id";         // argon2id | bcrypt
  int threads = 0;                                // I/O threads; 0: one per core
};

// The validated, typed form of ServeConfig.
struct Settings {
  std::string host;
  unsigned short port = 0;
  std::string data_dir;
  std::string web_root;
  std::string secret_file;
  std::string database_path;
  long long cookie_max_age_seconds = 0;
  long long session_lifetime_seconds = 0;
  long long session_idle_timeout_seconds = 0;
  long long session_idle_timeout_short_seconds = 0;
  long long session_sweep_interval_seconds = 0;
  crypto::PasswordAlgorithm password_algorithm = crypto::PasswordAlgorithm::kArgon2id;
  int io_threads = 1;
  int cores = 1;
};

// Checks and converts; throws std::invalid_argument naming the flag on bad input.
Settings Resolve(const ServeConfig& config);

}  // namespace latchkey::app
