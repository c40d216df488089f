#include "app/config.h"

#include <charconv>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "app/duration.h"
#include "http/origin_policy.h"
#include "http/tls_context.h"
#include "store/open_database.h"
#include "throttle/address_bucket.h"

namespace latchkey::app {
namespace {

void SplitListen(const std::string& listen, std::string& host, unsigned short& port,
                 const std::string& flag = "--listen") {
  std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    throw std::invalid_argument(flag + " must be host:port, got '" + listen + "'");
  }
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string_view digits(listen.data() + colon + 1, listen.size() - colon - 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value > 65535 || host.empty()) {
    throw std::invalid_argument(flag + " must be host:port, got '" + listen + "'");
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

// TLS, the HTTP redirect listener, allowed origins and trusted proxies (ASVS 4.0.3 9.1.1,
// 14.5.3; http/origin_policy.h, http/trusted_proxies.h).
void ResolveTransport(const ServeConfig& c, Settings& s) {
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    throw std::invalid_argument("--tls-cert and --tls-key must be given together");
  }
  if (!c.tls_cert.empty()) {
    std::string problem = http::CheckTlsFiles(c.tls_cert, c.tls_key);
    if (!problem.empty()) throw std::invalid_argument("--tls-cert/--tls-key: " + problem);
    s.tls_cert_file = c.tls_cert;
    s.tls_key_file = c.tls_key;
  }
  if (!c.redirect_http.empty()) {
    if (c.tls_cert.empty()) {
      throw std::invalid_argument("--redirect-http needs --tls-cert and --tls-key");
    }
    SplitListen(c.redirect_http, s.redirect_host, s.redirect_port, "--redirect-http");
  }
  for (const std::string& origin : c.allowed_origins) {
    if (origin.empty()) continue;  // "a,,b" in the environment variable
    auto normal = http::NormalizeOrigin(origin);
    if (!normal) {
      throw std::invalid_argument(
          "--allowed-origin must be scheme://host[:port] (http or https, no path), got '" + origin +
          "'");
    }
    s.allowed_origins.push_back(*normal);
  }
  for (const std::string& cidr : c.trusted_proxies) {
    if (cidr.empty()) continue;
    auto network = http::TrustedProxies::ParseCidr(cidr);
    if (!network) {
      throw std::invalid_argument(
          "--trusted-proxy must be an address or a CIDR without host bits (10.0.0.0/8, "
          "fd00::/8), got '" +
          cidr + "'");
    }
    s.trusted_proxies.Add(*network);
  }
}

// The reverse proxy (issue 17): upstreams, public paths, limits and timeouts (--public-url is
// resolved with the assertion settings below).
void ResolveProxy(const ServeConfig& c, Settings& s) {
  std::vector<http::proxy::Upstream> upstreams;
  for (const std::string& value : c.upstreams) {
    if (value.empty()) continue;
    auto up = http::proxy::ParseUpstream(value);
    if (!up) throw std::invalid_argument(up.error().message);
    upstreams.push_back(std::move(*up));
  }
  std::vector<std::string> public_paths;
  for (const std::string& value : c.public_paths) {
    if (value.empty()) continue;
    auto path = http::proxy::ParsePublicPath(value);
    if (!path) throw std::invalid_argument(path.error().message);
    public_paths.push_back(std::move(*path));
  }
  auto table = http::proxy::UpstreamTable::Make(std::move(upstreams), std::move(public_paths));
  if (!table) throw std::invalid_argument(table.error().message);
  s.upstreams = std::move(*table);
  if (c.max_upstream_body < 0 || c.max_upstream_body > (1LL << 40)) {
    throw std::invalid_argument("--max-upstream-body must be 0-1099511627776 bytes");
  }
  s.max_upstream_body = static_cast<std::size_t>(c.max_upstream_body);
  s.upstream_connect_timeout_seconds =
      DurationFlag("--upstream-connect-timeout", c.upstream_connect_timeout, 1);
  s.upstream_timeout_seconds = DurationFlag("--upstream-timeout", c.upstream_timeout, 1);
}

// The issuer and keys of X-Latchkey-Assertion (assertion/assertion_issuer.h), after the
// transport: the default --public-url follows --listen and TLS.
void ResolveAssertion(const ServeConfig& c, Settings& s) {
  if (c.public_url.empty()) {
    bool v6 = s.host.find(':') != std::string::npos;
    std::string derived = std::string(s.tls_cert_file.empty() ? "http://" : "https://") +
                          (v6 ? "[" + s.host + "]" : s.host) + ":" + std::to_string(s.port);
    s.public_url = http::NormalizeOrigin(derived).value_or(derived);  // port 0 stays as it is
    s.public_url_derived = true;
  } else {
    auto normal = http::NormalizeOrigin(c.public_url);
    if (!normal) {
      throw std::invalid_argument(
          "--public-url must be scheme://host[:port] (http or https, no path), got '" +
          c.public_url + "'");
    }
    s.public_url = *normal;
  }
  auto alg = assertion::ParseAlgorithm(c.assertion_alg);
  if (!alg) {
    throw std::invalid_argument("--assertion-alg must be EdDSA or ES256, got '" + c.assertion_alg +
                                "'");
  }
  s.assertion_algorithm = *alg;
  s.assertion_lifetime_seconds = DurationFlag("--assertion-lifetime", c.assertion_lifetime, 1);
  if (s.assertion_lifetime_seconds > 60) {
    throw std::invalid_argument("--assertion-lifetime must be at most 60s, got '" +
                                c.assertion_lifetime + "'");
  }
  std::filesystem::path secret(s.secret_file);
  s.assertion_key_file = !c.assertion_key_file.empty()
                             ? c.assertion_key_file
                             : (secret.has_parent_path() ? secret.parent_path() / "assertion.key"
                                                         : std::filesystem::path("assertion.key"))
                                   .string();
  s.seal_key_file = (secret.has_parent_path() ? secret.parent_path() / "seal.key"
                                              : std::filesystem::path("seal.key"))
                        .string();
}

}  // namespace

Settings Resolve(const ServeConfig& c) {
  Settings s;
  SplitListen(c.listen, s.host, s.port);
  if (c.data_dir.empty()) throw std::invalid_argument("--data-dir must not be empty");
  s.data_dir = c.data_dir;
  s.web_root = c.web_root;
  s.common_passwords_file =
      c.common_passwords.empty() ? c.web_root + "/assets/common-passwords.txt" : c.common_passwords;
  s.secret_file = c.secret_file.empty() ? c.data_dir + "/secret.key" : c.secret_file;
  s.database_url = c.db.empty() ? "sqlite:" + c.data_dir + "/latchkey.db" : c.db;
  if (!store::DialectOf(s.database_url)) {
    // The value may hold a password: show its scheme at most.
    throw std::invalid_argument(
        "--db must be sqlite:<path> or postgres://user:password@host:port/dbname, got " +
        store::RedactDatabaseUrl(s.database_url));
  }
  s.cookie_max_age_seconds = DurationFlag("--cookie-max-age", c.cookie_max_age, 60);
  s.session_lifetime_seconds = DurationFlag("--session-lifetime", c.session_lifetime, 1);
  s.session_idle_timeout_seconds =
      DurationFlag("--session-idle-timeout", c.session_idle_timeout, 1);
  s.session_idle_timeout_short_seconds =
      DurationFlag("--session-idle-timeout-short", c.session_idle_timeout_short, 1);
  s.session_sweep_interval_seconds =
      DurationFlag("--session-sweep-interval", c.session_sweep_interval, 1);
  s.audit_retention_seconds = DurationFlag("--audit-retention", c.audit_retention, 86400);
  if (c.signup_rate_limit < 1)
    throw std::invalid_argument("--signup-rate-limit must be at least 1");
  s.signup_rate_limit = c.signup_rate_limit;
  if (c.login_free_failures < 1 || c.login_free_failures > 100) {
    throw std::invalid_argument("--login-free-failures must be 1-100");
  }
  s.login_free_failures = c.login_free_failures;
  s.require_verified_email = c.require_verified_email;
  if (c.throttle_ipv6_prefix < throttle::kMinIpv6Prefix ||
      c.throttle_ipv6_prefix > throttle::kMaxIpv6Prefix) {
    throw std::invalid_argument("--throttle-ipv6-prefix must be 16-128");
  }
  s.throttle_ipv6_prefix = c.throttle_ipv6_prefix;
  if (!crypto::ParsePasswordAlgorithm(c.password_hash, s.password_algorithm)) {
    throw std::invalid_argument("--password-hash must be argon2id or bcrypt");
  }
  s.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (c.threads < 0 || c.threads > 256) throw std::invalid_argument("--threads must be 0-256");
  s.io_threads = c.threads == 0 ? s.cores : c.threads;
  if (c.max_connections < 1 || c.max_connections > 1000000)
    throw std::invalid_argument("--max-connections must be 1-1000000");
  s.max_connections = static_cast<std::size_t>(c.max_connections);
  s.shutdown_grace_seconds = DurationFlag("--shutdown-grace", c.shutdown_grace, 0);
  if (c.db_pool < 0 || c.db_pool > 1000) throw std::invalid_argument("--db-pool must be 0-1000");
  s.db_pool_size = static_cast<std::size_t>(c.db_pool == 0 ? 2 * s.cores : c.db_pool);
  if (c.session_cache_size < 0 || c.session_cache_size > 100'000'000) {
    throw std::invalid_argument("--session-cache-size must be 0-100000000");
  }
  s.session_cache_entries = static_cast<std::size_t>(c.session_cache_size);
  ResolveTransport(c, s);
  ResolveProxy(c, s);
  ResolveAssertion(c, s);
  s.mail = ResolveMail(c.mail, s.data_dir, s.public_url, s.public_url_derived);
  if (c.log_format != "text" && c.log_format != "json") {
    throw std::invalid_argument("--log-format must be text or json, got '" + c.log_format + "'");
  }
  // Metrics on their own listener, loopback by default: they describe the server's load to
  // whoever can reach them, so they are not served on the public address.
  if (c.metrics_listen != "off") {
    SplitListen(c.metrics_listen, s.metrics_host, s.metrics_port, "--metrics-listen");
    if (s.metrics_host == s.host && s.metrics_port == s.port && s.port != 0) {
      throw std::invalid_argument("--metrics-listen must differ from --listen");
    }
  }
  return s;
}

}  // namespace latchkey::app
