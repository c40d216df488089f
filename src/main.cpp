// latchkey: flags -> Settings -> App -> run. The only place that catches startup exceptions.
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "app/app.h"
#include "app/config.h"

#ifndef LATCHKEY_VERSION
#define LATCHKEY_VERSION "0.0.0"
#endif

namespace {

void AddServeFlags(CLI::App& cmd, latchkey::app::ServeConfig& c) {
  cmd.add_option("--listen", c.listen, "Address to listen on, host:port")
      ->envname("LATCHKEY_LISTEN")
      ->capture_default_str();
  cmd.add_option("--data-dir", c.data_dir, "Directory of the SQLite database and the secret key")
      ->envname("LATCHKEY_DATA_DIR")
      ->capture_default_str();
  cmd.add_option("--web-root", c.web_root, "The built web client (index.html and assets/)")
      ->envname("LATCHKEY_WEB_ROOT")
      ->capture_default_str();
  cmd.add_option("--secret-file", c.secret_file,
                 "Secret key file (default <data-dir>/secret.key; created with mode 0600)")
      ->envname("LATCHKEY_SECRET_FILE");
  cmd.add_option("--cookie-max-age", c.cookie_max_age,
                 "Max-Age of the persistent (\"remember me\") session cookie (e.g. 30d, 12h, 90s)")
      ->envname("LATCHKEY_COOKIE_MAX_AGE")
      ->capture_default_str();
  cmd.add_option("--session-lifetime", c.session_lifetime,
                 "Absolute session lifetime, whatever the use")
      ->envname("LATCHKEY_SESSION_LIFETIME")
      ->capture_default_str();
  cmd.add_option("--session-idle-timeout", c.session_idle_timeout,
                 "A \"remember me\" session ends after this long unused")
      ->envname("LATCHKEY_SESSION_IDLE_TIMEOUT")
      ->capture_default_str();
  cmd.add_option("--session-idle-timeout-short", c.session_idle_timeout_short,
                 "A browser-session login (remember: false) ends after this long unused")
      ->envname("LATCHKEY_SESSION_IDLE_TIMEOUT_SHORT")
      ->capture_default_str();
  cmd.add_option("--session-sweep-interval", c.session_sweep_interval,
                 "How often ended sessions are deleted from the store")
      ->envname("LATCHKEY_SESSION_SWEEP_INTERVAL")
      ->capture_default_str();
  cmd.add_option("--password-hash", c.password_hash,
                 "Hash for new passwords: argon2id or bcrypt (both always verify)")
      ->envname("LATCHKEY_PASSWORD_HASH")
      ->check(CLI::IsMember({"argon2id", "bcrypt"}))
      ->capture_default_str();
  cmd.add_option("--threads", c.threads, "I/O threads (0: one per core)")
      ->envname("LATCHKEY_THREADS")
      ->capture_default_str();
  cmd.add_option("--log-level", c.log_level, "trace, debug, info, warn, error, critical or off")
      ->envname("LATCHKEY_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"latchkey: authentication and session server for single-page web apps"};
  cli.set_help_flag();
  cli.set_help_all_flag("-h,--help", "Print this help (every command and flag) and exit");
  cli.require_subcommand(1);

  latchkey::app::ServeConfig serve_config;
  CLI::App* serve = cli.add_subcommand("serve", "Run the HTTP server");
  AddServeFlags(*serve, serve_config);

  latchkey::app::ServeConfig migrate_config;
  CLI::App* migrate =
      cli.add_subcommand("migrate", "Create or upgrade the database schema, then exit");
  AddServeFlags(*migrate, migrate_config);

  CLI::App* version = cli.add_subcommand("version", "Print the version and exit");

  CLI11_PARSE(cli, argc, argv);

  if (version->parsed()) {
    std::printf("latchkey %s\n", LATCHKEY_VERSION);
    return 0;
  }
  const auto& config = serve->parsed() ? serve_config : migrate_config;
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  try {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    latchkey::app::Settings settings = latchkey::app::Resolve(config);
    if (serve->parsed()) {
      latchkey::app::Serve(settings);
    } else {
      latchkey::app::Migrate(settings);
    }
  } catch (const std::invalid_argument& e) {
    spdlog::critical("invalid configuration: {}", e.what());
    return 2;
  } catch (const std::exception& e) {
    spdlog::critical("startup failed: {}", e.what());
    return 1;
  }
  return 0;
}
