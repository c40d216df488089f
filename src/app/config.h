// Configuration of `latchkey serve`: every flag also settable by an environment variable
// LATCHKEY_<FLAG> (flag wins). Parsed with CLI11 in app/cli.cpp; validated here.
#pragma once

#include <string>
#include <vector>

#include "app/mail_config.h"
#include "assertion/signing_key.h"
#include "crypto/password_hasher.h"
#include "http/proxy/upstreams.h"
#include "http/trusted_proxies.h"

namespace latchkey::app {

struct ServeConfig {
  std::string config_file;                        // --config: TOML file (app/config_layers.h)
  std::string listen = "127.0.0.1:8080";          // host:port, [v6]:port
  std::string data_dir = "./data";                // SQLite file and secret key
  std::string db;                                 // database URL; default sqlite:<data_dir>/...
  int db_pool = 0;                                // database connections; 0: 2 x cores
  long session_cache_size = 100000;               // cached sessions per node; 0: no cache
  std::string web_root = "./web/dist";            // the built client: index.html + assets/
  std::string common_passwords;                   // refused new passwords; default in web_root
  std::string secret_file;                        // default <data_dir>/secret.key
  std::string cookie_max_age = "30d";             // Max-Age of the persistent session cookie
  std::string session_lifetime = "30d";           // absolute session lifetime
  std::string session_idle_timeout = "14d";       // idle timeout of "remember me" sessions
  std::string session_idle_timeout_short = "2h";  // idle timeout of browser-session logins
  std::string session_sweep_interval = "10m";     // how often ended sessions are deleted
  long signup_rate_limit = 20;                    // signups per client IP per hour
  long login_free_failures = 5;                   // failed logins per IP/account before delays
  bool require_verified_email = false;            // signup needs an email; login a verified one
  int throttle_ipv6_prefix = 64;                  // IPv6 clients throttled per network of this
  std::string audit_retention = "90d";            // audit events older than this are deleted
  std::string log_level = "info";                 // trace, debug, info, warn, error, critical, off
  std::string log_format = "text";                // text | json (app/logging.h)
  std::string metrics_listen = "127.0.0.1:9464";  // host:port of GET /metrics; "off": none
  std::string password_hash = "argon2id";         // argon2id | bcrypt
  int threads = 0;                                // I/O threads; 0: one per core
  long max_connections = 10000;                   // open client connections (then shed / 503)
  std::string shutdown_grace = "10s";             // SIGTERM: longest wait for in-flight requests
  std::string tls_cert;                      // PEM certificate chain; TLS when set with tls_key
  std::string tls_key;                       // PEM private key of tls_cert
  std::string redirect_http;                 // host:port of a plain-HTTP 308-to-HTTPS listener
  std::vector<std::string> allowed_origins;  // other origins allowed to call the API
  std::vector<std::string> trusted_proxies;  // CIDRs whose X-Forwarded-For/-Proto are believed
  // The reverse proxy and forward auth (http/proxy/, docs/INTEGRATION.md).
  std::vector<std::string> upstreams;              // PREFIX=http://host:port
  std::vector<std::string> public_paths;           // under an upstream: no session needed
  long long max_upstream_body = 10 * 1024 * 1024;  // bytes of a request body sent upstream
  std::string upstream_connect_timeout = "5s";
  std::string upstream_timeout = "30s";    // until the upstream's response headers
  std::string public_url;                  // origin users reach; default from listen + TLS
  std::string assertion_alg = "EdDSA";     // EdDSA | ES256: new assertion signing keys
  std::string assertion_lifetime = "60s";  // exp - iat of X-Latchkey-Assertion, at most 60s
  std::string assertion_key_file;          // default <secret_file's dir>/assertion.key
  MailConfig mail;                         // --mail and friends (app/mail_config.h)
};

// The validated, typed form of ServeConfig.
struct Settings {
  std::string host;
  unsigned short port = 0;
  std::string data_dir;
  std::string web_root;
  std::string common_passwords_file;  // one password per line; required at `serve`
  std::string secret_file;
  std::string database_url;  // sqlite:<path> or postgres://... (store/open_database.h)
  std::size_t db_pool_size = 1;
  std::size_t session_cache_entries = 0;  // 0: no session cache
  long long cookie_max_age_seconds = 0;
  long long session_lifetime_seconds = 0;
  long long session_idle_timeout_seconds = 0;
  long long session_idle_timeout_short_seconds = 0;
  long long session_sweep_interval_seconds = 0;
  long signup_rate_limit = 20;
  long login_free_failures = 5;
  bool require_verified_email = false;  // flows/auth_service.h EmailSetup
  int throttle_ipv6_prefix = 64;
  long long audit_retention_seconds = 0;
  crypto::PasswordAlgorithm password_algorithm = crypto::PasswordAlgorithm::kArgon2id;
  int io_threads = 1;
  int cores = 1;
  std::size_t max_connections = 10000;
  long long shutdown_grace_seconds = 10;
  std::string tls_cert_file;                 // empty: plain HTTP
  std::string tls_key_file;                  // checked at startup to load and match the cert
  std::string redirect_host;                 // empty: no redirect listener
  unsigned short redirect_port = 0;          // its port
  std::vector<std::string> allowed_origins;  // normalised (http/origin_policy.h)
  http::TrustedProxies trusted_proxies;      // empty: X-Forwarded-* never believed
  std::string metrics_host;                  // empty: no metrics listener (--metrics-listen off)
  unsigned short metrics_port = 0;           // 0: a free port (logged at startup)
  http::proxy::UpstreamTable upstreams;      // empty: no reverse proxy
  std::size_t max_upstream_body = 0;         // bytes (413 beyond)
  long long upstream_connect_timeout_seconds = 5;
  long long upstream_timeout_seconds = 30;  // response headers; then per read of the body
  std::string public_url;  // normalised origin: the assertion's iss (and forward auth's aud)
  bool public_url_derived = false;  // from --listen and TLS, not given: no links in mail
  assertion::Algorithm assertion_algorithm = assertion::Algorithm::kEdDSA;  // of new keys
  long long assertion_lifetime_seconds = 60;                                // 1..60
  std::string assertion_key_file;  // the assertion signing keys (assertion/signing_keys.h)
  MailSettings mail;               // the courier's transport, sender, templates, backoff
  std::string seal_key_file;       // sealing keys (crypto/sealer.h): seal.key beside secret_file
};

// Checks and converts; throws std::invalid_argument naming the flag on bad input.
Settings Resolve(const ServeConfig& config);

}  // namespace latchkey::app
