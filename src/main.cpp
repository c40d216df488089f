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

// TLS, origins and proxies (validated in app/config.cpp). Repeatable flags also take a
// comma-separated list, which is how their environment variable is read.
void AddTransportFlags(CLI::App& cmd, latchkey::app::ServeConfig& c) {
  cmd.add_option("--tls-cert", c.tls_cert,
                 "PEM certificate chain: serve HTTPS (TLS 1.2+) instead of HTTP; with --tls-key")
      ->envname("LATCHKEY_TLS_CERT");
  cmd.add_option("--tls-key", c.tls_key, "PEM private key of --tls-cert")
      ->envname("LATCHKEY_TLS_KEY");
  cmd.add_option("--redirect-http", c.redirect_http,
                 "Also listen for plain HTTP on host:port and answer 308 to HTTPS (needs TLS)")
      ->envname("LATCHKEY_REDIRECT_HTTP");
  cmd.add_option("--allowed-origin", c.allowed_origins,
                 "Another origin (scheme://host[:port]) allowed to make state-changing API "
                 "calls; repeatable (the server's own origin is always allowed)")
      ->envname("LATCHKEY_ALLOWED_ORIGIN")
      ->delimiter(',');
  cmd.add_option("--trusted-proxy", c.trusted_proxies,
                 "Reverse proxy address or CIDR whose X-Forwarded-For and X-Forwarded-Proto "
                 "are believed; repeatable (default: none)")
      ->envname("LATCHKEY_TRUSTED_PROXY")
      ->delimiter(',');
}

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
  cmd.add_option("--common-passwords", c.common_passwords,
                 "Passwords refused for new passwords, one per line "
                 "(default <web-root>/assets/common-passwords.txt; required)")
      ->envname("LATCHKEY_COMMON_PASSWORDS");
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
  cmd.add_option("--signup-rate-limit", c.signup_rate_limit,
                 "Signups allowed per client IP per hour (then 429)")
      ->envname("LATCHKEY_SIGNUP_RATE_LIMIT")
      ->capture_default_str();
  cmd.add_option("--login-free-failures", c.login_free_failures,
                 "Failed logins per client IP and per account before growing delays (429)")
      ->envname("LATCHKEY_LOGIN_FREE_FAILURES")
      ->capture_default_str();
  cmd.add_option("--audit-retention", c.audit_retention,
                 "Audit events older than this are deleted (at least 1d)")
      ->envname("LATCHKEY_AUDIT_RETENTION")
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
  AddTransportFlags(cmd, c);
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

  // Key rotation (OWASP ASVS 6.4.2): new cookies and CSRF tokens use the newest key, every
  // key listed verifies; retire a key by deleting its line once --cookie-max-age has passed.
  latchkey::app::ServeConfig keys_config;
  CLI::App* keys = cli.add_subcommand("keys", "Manage the secret keys");
  keys->require_subcommand(1);
  CLI::App* keys_rotate =
      keys->add_subcommand("rotate", "Add a new newest key; restart the servers to sign with it");
  CLI::App* keys_list = keys->add_subcommand("list", "List the keys' fingerprints, oldest first");
  for (CLI::App* cmd : {keys_rotate, keys_list}) {
    cmd->add_option("--data-dir", keys_config.data_dir, "Directory of the secret key")
        ->envname("LATCHKEY_DATA_DIR")
        ->capture_default_str();
    cmd->add_option("--secret-file", keys_config.secret_file,
                    "Secret key file (default <data-dir>/secret.key)")
        ->envname("LATCHKEY_SECRET_FILE");
  }

  CLI::App* version = cli.add_subcommand("version", "Print the version and exit");

  CLI11_PARSE(cli, argc, argv);

  if (version->parsed()) {
    std::printf("latchkey %s\n", LATCHKEY_VERSION);
    return 0;
  }
  const auto& config =
      serve->parsed() ? serve_config : (migrate->parsed() ? migrate_config : keys_config);
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  try {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    latchkey::app::Settings settings = latchkey::app::Resolve(config);
    if (serve->parsed()) {
      latchkey::app::Serve(settings);
    } else if (migrate->parsed()) {
      latchkey::app::Migrate(settings);
    } else if (keys_rotate->parsed()) {
      latchkey::app::RotateKeys(settings);
    } else {
      latchkey::app::ListKeys(settings);
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
