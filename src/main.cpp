// latchkey: flags -> Settings -> App -> run. The only place that catches startup exceptions.
#include <sodium.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <thread>

#include "app/admin_commands.h"
#include "app/app.h"
#include "app/bench_hash.h"
#include "app/config.h"
#include "app/config_layers.h"
#include "app/config_print.h"
#include "app/logging.h"

#ifndef LATCHKEY_VERSION
#define LATCHKEY_VERSION "0.0.0"
#endif

namespace {

// Adds the option `name` ("--session-lifetime"), also read from the environment variable
// derived from it (LATCHKEY_SESSION_LIFETIME), so every flag has one, spelled alike.
template <class T>
CLI::Option* Flag(CLI::App& cmd, const std::string& name, T& value, const std::string& help) {
  std::string env = "LATCHKEY_";
  for (char ch : name.substr(2)) {
    env += ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return cmd.add_option(name, value, help)->envname(env);
}

// TLS, origins and proxies (validated in app/config.cpp). Repeatable flags also take a
// comma-separated list, which is how their environment variable is read.
void AddTransportFlags(CLI::App& cmd, latchkey::app::ServeConfig& c) {
  Flag(cmd, "--tls-cert", c.tls_cert,
       "PEM certificate chain: serve HTTPS (TLS 1.2+) instead of HTTP; with --tls-key");
  Flag(cmd, "--tls-key", c.tls_key, "PEM private key of --tls-cert");
  Flag(cmd, "--redirect-http", c.redirect_http,
       "Also listen for plain HTTP on host:port and answer 308 to HTTPS (needs TLS)");
  Flag(cmd, "--allowed-origin", c.allowed_origins,
       "Another origin (scheme://host[:port]) allowed to make state-changing API "
       "calls; repeatable (the server's own origin is always allowed)")
      ->delimiter(',');
  Flag(cmd, "--trusted-proxy", c.trusted_proxies,
       "Reverse proxy address or CIDR whose X-Forwarded-For and X-Forwarded-Proto "
       "are believed; repeatable (default: none)")
      ->delimiter(',');
}

// The reverse proxy and forward auth (http/proxy/, docs/INTEGRATION.md).
void AddProxyFlags(CLI::App& cmd, latchkey::app::ServeConfig& c) {
  Flag(cmd, "--upstream", c.upstreams,
       "PREFIX=http://host:port: requests under PREFIX go to that upstream once Latchkey "
       "let them through; repeatable, longest prefix wins")
      ->delimiter(',');
  Flag(cmd, "--public-path", c.public_paths,
       "A path under an upstream that needs no session (state-changing methods still need "
       "the CSRF token); repeatable")
      ->delimiter(',');
  Flag(cmd, "--max-upstream-body", c.max_upstream_body,
       "Largest request body streamed to an upstream, in bytes (then 413)")
      ->capture_default_str();
  Flag(cmd, "--upstream-connect-timeout", c.upstream_connect_timeout,
       "How long connecting to an upstream may take (then 504)")
      ->capture_default_str();
  Flag(cmd, "--upstream-timeout", c.upstream_timeout,
       "How long an upstream may take to send its response headers, and then each part of "
       "its body (then 504, or the connection is cut)")
      ->capture_default_str();
}

// X-Latchkey-Assertion, the JWS that tells an upstream who the caller is (assertion/).
void AddAssertionFlags(CLI::App& cmd, latchkey::app::ServeConfig& c) {
  Flag(cmd, "--public-url", c.public_url,
       "The origin users reach (https://app.example.com): the assertion's iss "
       "(default: http(s)://<--listen>)");
  Flag(cmd, "--assertion-alg", c.assertion_alg,
       "Algorithm of new assertion signing keys: EdDSA (Ed25519) or ES256 (P-256)")
      ->check(CLI::IsMember({"EdDSA", "ES256"}))
      ->capture_default_str();
  Flag(cmd, "--assertion-lifetime", c.assertion_lifetime,
       "How long an X-Latchkey-Assertion is valid (exp - iat), at most 60s")
      ->capture_default_str();
  Flag(cmd, "--assertion-key-file", c.assertion_key_file,
       "Assertion signing keys (default assertion.key beside --secret-file; mode 0600)");
}

// Mail (courier/, docs/OPERATIONS.md "Mail"; validated in app/mail_config.cpp).
void AddMailFlags(CLI::App& cmd, latchkey::app::MailConfig& c) {
  Flag(cmd, "--mail", c.transport,
       "Mail transport: off, file:<dir> (one .eml per message), smtp://[user@]host[:port] "
       "(STARTTLS required unless ?tls=none) or smtps://[user@]host[:port] "
       "(default file:<data-dir>/mail)");
  Flag(cmd, "--mail-from", c.mail_from,
       "From address of mail (default Latchkey <no-reply@<host of --public-url>>)");
  Flag(cmd, "--mail-password-file", c.mail_password_file,
       "File whose first line is the SMTP password of the --mail user");
  Flag(cmd, "--mail-templates", c.mail_templates,
       "Directory of mail templates overriding the built-in ones, kind by kind");
  Flag(cmd, "--mail-ca-file", c.mail_ca_file,
       "PEM CA certificates to verify the SMTP server with (default: the system's)");
  Flag(cmd, "--mail-max-attempts", c.mail_max_attempts,
       "Attempts to send a message before it is given up (1-100)")
      ->capture_default_str();
  Flag(cmd, "--mail-retry-base", c.mail_retry_base,
       "Backoff after a first failed attempt, doubling each time (with jitter)")
      ->capture_default_str();
  Flag(cmd, "--mail-retry-max", c.mail_retry_max, "The longest backoff between two attempts")
      ->capture_default_str();
}

// The TOML file of every command that has settings (app/config_layers.h): its keys are the
// command's flags without dashes; flags, then LATCHKEY_* variables, win over it.
void AddConfigFlag(CLI::App& cmd, latchkey::app::ServeConfig& c) {
  Flag(cmd, "--config", c.config_file,
       "TOML file of settings, keys named like the flags (listen = \"0.0.0.0:8080\"); "
       "flags and LATCHKEY_* variables override it");
}

// Which database: --db, or the SQLite file in --data-dir.
void AddDatabaseFlags(CLI::App& cmd, latchkey::app::ServeConfig& c) {
  AddConfigFlag(cmd, c);
  Flag(cmd, "--data-dir", c.data_dir, "Directory of the SQLite database and the secret key")
      ->capture_default_str();
  Flag(cmd, "--db", c.db,
       "Database URL: sqlite:<path> (default sqlite:<data-dir>/latchkey.db) or "
       "postgres://user[:password]@host[:port]/dbname (shared by many nodes)");
}

void AddServeFlags(CLI::App& cmd, latchkey::app::ServeConfig& c) {
  Flag(cmd, "--listen", c.listen, "Address to listen on, host:port")->capture_default_str();
  AddDatabaseFlags(cmd, c);
  Flag(cmd, "--db-pool", c.db_pool, "Database connections kept open (0: 2 x cores)")
      ->capture_default_str();
  Flag(cmd, "--session-cache-size", c.session_cache_size,
       "Sessions cached in memory per node (0: none); changes on any node evict them")
      ->capture_default_str();
  Flag(cmd, "--web-root", c.web_root, "The built web client (index.html and assets/)")
      ->capture_default_str();
  Flag(cmd, "--common-passwords", c.common_passwords,
       "Passwords refused for new passwords, one per line "
       "(default <web-root>/assets/common-passwords.txt; required)");
  Flag(cmd, "--secret-file", c.secret_file,
       "Secret key file (default <data-dir>/secret.key; created with mode 0600)");
  Flag(cmd, "--cookie-max-age", c.cookie_max_age,
       "Max-Age of the persistent (\"remember me\") session cookie (e.g. 30d, 12h, 90s)")
      ->capture_default_str();
  Flag(cmd, "--session-lifetime", c.session_lifetime, "Absolute session lifetime, whatever the use")
      ->capture_default_str();
  Flag(cmd, "--session-idle-timeout", c.session_idle_timeout,
       "A \"remember me\" session ends after this long unused")
      ->capture_default_str();
  Flag(cmd, "--session-idle-timeout-short", c.session_idle_timeout_short,
       "A browser-session login (remember: false) ends after this long unused")
      ->capture_default_str();
  Flag(cmd, "--session-sweep-interval", c.session_sweep_interval,
       "How often ended sessions are deleted from the store")
      ->capture_default_str();
  Flag(cmd, "--signup-rate-limit", c.signup_rate_limit,
       "Signups allowed per client IP per hour (then 429)")
      ->capture_default_str();
  Flag(cmd, "--login-free-failures", c.login_free_failures,
       "Failed logins per client IP and per account before growing delays (429)")
      ->capture_default_str();
  Flag(cmd, "--require-verified-email", c.require_verified_email,
       "true: signup needs an email address, and login an account whose address is verified "
       "(403 email_unverified)")
      ->capture_default_str();
  Flag(cmd, "--throttle-ipv6-prefix", c.throttle_ipv6_prefix,
       "IPv6 clients are throttled per network of this prefix length (16-128; 128: per address)")
      ->capture_default_str();
  Flag(cmd, "--audit-retention", c.audit_retention,
       "Audit events older than this are deleted (at least 1d)")
      ->capture_default_str();
  Flag(cmd, "--password-hash", c.password_hash,
       "Hash for new passwords: argon2id or bcrypt (both always verify)")
      ->check(CLI::IsMember({"argon2id", "bcrypt"}))
      ->capture_default_str();
  Flag(cmd, "--threads", c.threads, "I/O threads (0: one per core)")->capture_default_str();
  Flag(cmd, "--max-connections", c.max_connections,
       "Open client connections at most; at the cap the longest-idle one is closed to make "
       "room, or the new one gets 503 when all are busy")
      ->capture_default_str();
  Flag(cmd, "--shutdown-grace", c.shutdown_grace,
       "On SIGTERM/SIGINT, how long in-flight requests may take before connections are cut")
      ->capture_default_str();
  Flag(cmd, "--log-level", c.log_level, "trace, debug, info, warn, error, critical or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  Flag(cmd, "--log-format", c.log_format,
       "Log lines as text or json (one object per line); one line per request and per auth "
       "event at info")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  Flag(cmd, "--metrics-listen", c.metrics_listen,
       "host:port of the Prometheus GET /metrics listener (port 0: any free port; off: none)")
      ->capture_default_str();
  AddTransportFlags(cmd, c);
  AddProxyFlags(cmd, c);
  AddAssertionFlags(cmd, c);
  AddMailFlags(cmd, c.mail);
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
  bool print_config = false;
  for (CLI::App* cmd : {serve, migrate}) {
    cmd->add_flag("--print-config", print_config,
                  "Print the effective configuration as TOML (secrets masked), then exit");
  }

  // Key rotation (OWASP ASVS 6.4.2): new cookies and CSRF tokens use the newest key, every
  // key listed verifies; retire a key by deleting its line once --cookie-max-age has passed.
  // The assertion signing keys rotate alongside: a new one signs, retired ones stay published
  // in the JWKS and are dropped by a later rotation (assertion/signing_keys.h).
  latchkey::app::ServeConfig keys_config;
  CLI::App* keys = cli.add_subcommand("keys", "Manage the secret keys");
  keys->require_subcommand(1);
  CLI::App* keys_rotate =
      keys->add_subcommand("rotate", "Add a new newest key; restart the servers to sign with it");
  CLI::App* keys_list = keys->add_subcommand("list", "List the keys' fingerprints, oldest first");
  for (CLI::App* cmd : {keys_rotate, keys_list}) {
    AddConfigFlag(*cmd, keys_config);
    Flag(*cmd, "--data-dir", keys_config.data_dir, "Directory of the secret key")
        ->capture_default_str();
    Flag(*cmd, "--secret-file", keys_config.secret_file,
         "Secret key file (default <data-dir>/secret.key)");
    Flag(*cmd, "--assertion-key-file", keys_config.assertion_key_file,
         "Assertion signing keys (default assertion.key beside --secret-file)");
  }
  Flag(*keys_rotate, "--assertion-alg", keys_config.assertion_alg,
       "Algorithm of the new assertion signing key: EdDSA or ES256")
      ->check(CLI::IsMember({"EdDSA", "ES256"}))
      ->capture_default_str();

  latchkey::app::ServeConfig transfer_config;
  std::string export_output;
  CLI::App* export_cmd = cli.add_subcommand(
      "export", "Write every user (username, name, password hash) as JSON lines");
  AddDatabaseFlags(*export_cmd, transfer_config);
  export_cmd->add_option("--output,-o", export_output, "File to write (default: stdout)");
  std::string import_input;
  CLI::App* import_cmd = cli.add_subcommand(
      "import", "Add users from `latchkey export` output; taken usernames are skipped");
  AddDatabaseFlags(*import_cmd, transfer_config);
  import_cmd->add_option("--input,-i", import_input, "File to read (default: stdin)");

  std::string bench_algorithm = "argon2id";
  double bench_seconds = 3;
  bool bench_json = false;
  CLI::App* bench_hash = cli.add_subcommand(
      "bench-hash", "Measure password hashes per second, one core and all cores, then exit");
  bench_hash->add_option("--password-hash", bench_algorithm, "argon2id or bcrypt")
      ->envname("LATCHKEY_PASSWORD_HASH")  // the same setting as `serve`
      ->check(CLI::IsMember({"argon2id", "bcrypt"}))
      ->capture_default_str();
  bench_hash->add_option("--seconds", bench_seconds, "Duration of each measurement")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  bench_hash->add_flag("--json", bench_json, "Print one JSON object");

  CLI::App* version = cli.add_subcommand("version", "Print the version and exit");

  latchkey::app::AdminCommands admin(cli, AddDatabaseFlags);  // user ..., session ...

  // Flags, then LATCHKEY_* variables, then the --config file, then defaults.
  latchkey::app::ConfigLayers layers;
  try {
    auto layered = latchkey::app::ParseLayered(cli, argc, argv);
    if (!layered) {
      spdlog::critical("invalid configuration: {}", layered.error().message);
      return 2;
    }
    layers = std::move(*layered);
  } catch (const CLI::ParseError& e) {
    // --help prints and exits 0; every other usage error is exit 2 (as a bad configuration).
    return cli.exit(e) == 0 ? 0 : 2;
  }

  if (admin.parsed()) return admin.Run();
  if (version->parsed()) {
    std::printf("latchkey %s\n", LATCHKEY_VERSION);
    return 0;
  }
  if (bench_hash->parsed()) {
    if (sodium_init() < 0) return 1;
    latchkey::crypto::PasswordHashParams params;
    latchkey::crypto::ParsePasswordAlgorithm(bench_algorithm, params.algorithm);
    int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    try {
      auto r = latchkey::app::BenchHash(params, cores, bench_seconds);
      latchkey::app::PrintHashBench(params, r, bench_json);
    } catch (const std::exception& e) {
      spdlog::critical("{}", e.what());
      return 1;
    }
    return 0;
  }
  const auto& config = serve->parsed()                                  ? serve_config
                       : migrate->parsed()                              ? migrate_config
                       : (export_cmd->parsed() || import_cmd->parsed()) ? transfer_config
                                                                        : keys_config;
  // `export` writes its data to stdout: its log lines go to stderr.
  latchkey::app::SetupLogging(config.log_format, config.log_level, export_cmd->parsed());
  struct FlushLogs {
    ~FlushLogs() { latchkey::app::ShutdownLogging(); }
  } flush_logs;  // every return below writes what is queued first
  try {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    latchkey::app::Settings settings = latchkey::app::Resolve(config);
    if (print_config) {
      latchkey::app::PrintConfig(layers, serve->parsed() ? "serve" : "migrate", std::cout);
      return 0;
    }
    if (serve->parsed()) {
      latchkey::app::Serve(settings);
    } else if (migrate->parsed()) {
      latchkey::app::Migrate(settings);
    } else if (export_cmd->parsed()) {
      latchkey::app::Export(settings, export_output);
    } else if (import_cmd->parsed()) {
      latchkey::app::Import(settings, import_input);
    } else if (keys_rotate->parsed()) {
      latchkey::app::RotateKeys(settings);
    } else {
      latchkey::app::ListKeys(settings);
    }
  } catch (const std::invalid_argument& e) {
    spdlog::critical("invalid configuration: {}", layers.Rename(e.what()));
    return 2;
  } catch (const std::exception& e) {
    spdlog::critical("startup failed: {}", e.what());
    return 1;
  }
  return 0;
}
