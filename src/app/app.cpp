#include "app/app.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <stdexcept>

#include "app/logging.h"
#include "app/mail_courier.h"
#include "app/node.h"
#include "app/seal_keys.h"
#include "app/session_sweeper.h"
#include "app/transfer.h"
#include "assertion/signing_keys.h"
#include "crypto/keyring.h"
#include "http/server.h"
#include "identity/password_policy.h"
#include "metrics/process_metrics.h"
#include "metrics/registry.h"
#include "session/session_cache.h"
#include "store/open_database.h"

namespace latchkey::app {
namespace {

// The data dir holds the database and the secret key: owner-only (ASVS 8.3.x, 6.4.1).
void EnsureDataDir(const std::string& dir) {
  ::umask(077);  // the database, its WAL and the key file: owner-only from creation on
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec)) {
    ::chmod(dir.c_str(), 0700);
  } else if (ec) {
    throw std::runtime_error("cannot create data dir " + dir + ": " + ec.message());
  }
}

bool IsPostgres(const Settings& settings) {
  return store::DialectOf(settings.database_url) == store::Dialect::kPostgres;
}

// A SQLite file's directory (the data dir by default) is created owner-only first; nothing
// else is created (with --db, no ./data appears).
std::unique_ptr<store::Database> Open(const Settings& settings, std::size_t pool_size) {
  if (!IsPostgres(settings)) {
    std::filesystem::path file = settings.database_url.substr(std::string_view("sqlite:").size());
    EnsureDataDir(file.has_parent_path() ? file.parent_path().string() : ".");
  }
  return store::OpenDatabase(settings.database_url, pool_size);
}

// Nodes on one PostgreSQL must sign and verify with the same keys: a node that made up its
// own key would refuse every other node's cookies. So the key file is never created
// implicitly there; the operator creates it once and gives it to every node (like a TLS key;
// docs/DEPLOYMENT.md says why it is a file and not a table).
crypto::Keyring LoadKeys(const Settings& settings) {
  bool shared = IsPostgres(settings);
  if (shared && !std::filesystem::exists(settings.secret_file)) {
    throw std::invalid_argument(
        "--secret-file " + settings.secret_file +
        " does not exist: with --db postgres every node must share one key file; create it "
        "once with `latchkey keys rotate --secret-file <file>` and give it to every node");
  }
  EnsureDataDir(settings.data_dir);
  return crypto::Keyring::LoadOrCreate(settings.secret_file, /*create_if_missing=*/!shared);
}

// The assertion signing keys, beside the HMAC keys and under the same rule: on PostgreSQL every
// node must publish and sign with the same keys (an upstream may fetch the JWKS from any node),
// so the file is never made up implicitly there; `latchkey keys rotate` creates it.
assertion::SigningKeys LoadAssertionKeys(const Settings& settings, const Clock& clock) {
  bool shared = IsPostgres(settings);
  if (shared && !std::filesystem::exists(settings.assertion_key_file)) {
    throw std::invalid_argument(
        "--assertion-key-file " + settings.assertion_key_file +
        " does not exist: with --db postgres every node must share one assertion key file; "
        "create it once with `latchkey keys rotate --secret-file <file>` (it is written beside "
        "the secret file) and give it to every node");
  }
  auto keys = assertion::SigningKeys::LoadOrCreate(settings.assertion_key_file,
                                                   /*create_if_missing=*/!shared,
                                                   settings.assertion_algorithm, clock.Now());
  if (keys.current().algorithm() != settings.assertion_algorithm) {
    throw std::invalid_argument(
        "--assertion-alg " + std::string(assertion::AlgorithmName(settings.assertion_algorithm)) +
        " but the signing key in " + settings.assertion_key_file + " is " +
        std::string(assertion::AlgorithmName(keys.current().algorithm())) +
        ": run `latchkey keys rotate --assertion-alg " +
        std::string(assertion::AlgorithmName(settings.assertion_algorithm)) + "` first");
  }
  return keys;
}

// Gauges of the session cache and the database pool, read at scrape time (no store query:
// a scrape never waits on the database).
void AddStoreMetrics(metrics::Registry& m, const session::SessionCache& cache,
                     const Settings& settings, store::Database& db, const Clock& clock) {
  // Read at scrape time, on the store pool (the metrics listener renders there): one COUNT.
  m.AddGauge("latchkey_sessions_live",
             "Sessions of every user that have not ended (absolute or idle expiry); NaN when "
             "the database does not answer.",
             [&db, &clock] {
               auto n = db.CountLiveSessions(clock.Now());
               return n ? static_cast<double>(*n) : std::numeric_limits<double>::quiet_NaN();
             });
  m.AddGauge("latchkey_db_pool_connections_in_use",
             "Database connections of this node's pool leased now.",
             [&db] { return static_cast<double>(db.pool_usage().in_use); });
  m.AddGauge("latchkey_db_pool_waiting",
             "Threads of this node waiting for a free database connection.",
             [&db] { return static_cast<double>(db.pool_usage().waiting); });
  m.AddGauge("latchkey_session_cache_entries", "Sessions held in this node's session cache.",
             [&cache] { return static_cast<double>(cache.size()); });
  m.AddGauge("latchkey_session_cache_capacity", "Capacity of the session cache (entries).",
             [n = settings.session_cache_entries] { return static_cast<double>(n); });
  m.AddGauge("latchkey_db_pool_connections", "Database connections in the pool (--db-pool).",
             [&db] { return static_cast<double>(db.pool_usage().size); });
}

}  // namespace

std::unique_ptr<store::Database> OpenConfiguredDatabase(const Settings& settings,
                                                        std::size_t pool_size) {
  return Open(settings, pool_size);
}

void Migrate(const Settings& settings) {
  auto db = Open(settings, 1);
  spdlog::info("database {} is at the newest schema",
               store::RedactDatabaseUrl(settings.database_url));
}

void Export(const Settings& settings, const std::string& output) {
  auto db = Open(settings, 1);
  long count = 0;
  if (output.empty() || output == "-") {
    count = ExportUsers(*db, std::cout);
  } else {
    ::umask(077);  // password hashes: owner-only, like the database
    std::ofstream file(output, std::ios::out | std::ios::trunc);
    if (!file) throw std::runtime_error("cannot write " + output);
    // An existing file keeps its mode through the umask: make it owner-only too.
    std::error_code ec;
    std::filesystem::permissions(
        output, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
        std::filesystem::perm_options::replace, ec);
    if (ec) throw std::runtime_error("cannot make " + output + " owner-only: " + ec.message());
    count = ExportUsers(*db, file);
  }
  spdlog::info("exported {} users from {}", count, store::RedactDatabaseUrl(settings.database_url));
}

void Import(const Settings& settings, const std::string& input) {
  auto db = Open(settings, 1);
  ImportSummary summary;
  if (input.empty() || input == "-") {
    summary = ImportUsers(*db, std::cin);
  } else {
    std::ifstream file(input);
    if (!file) throw std::runtime_error("cannot read " + input);
    summary = ImportUsers(*db, file);
  }
  std::printf("imported %ld users, skipped %ld (username taken)\n", summary.imported,
              summary.skipped);
}

void RotateKeys(const Settings& settings) {
  EnsureDataDir(settings.data_dir);
  crypto::Keyring::AppendNewKey(settings.secret_file);
  auto keys = crypto::Keyring::LoadOrCreate(settings.secret_file, false);
  std::printf("added key %s to %s (%zu keys); restart the servers to sign with it\n",
              keys.fingerprints().back().c_str(), settings.secret_file.c_str(), keys.size());
  auto rotated = assertion::SigningKeys::Rotate(settings.assertion_key_file,
                                                settings.assertion_algorithm, SystemClock().Now());
  std::printf("added assertion key %s (%s) to %s (%zu keys, %zu retired dropped)\n",
              rotated.added_kid.c_str(),
              std::string(assertion::AlgorithmName(settings.assertion_algorithm)).c_str(),
              settings.assertion_key_file.c_str(), rotated.keys, rotated.dropped);
  // Old sealing keys stay: they open what was sealed before (crypto/sealer.h).
  crypto::Sealer::AppendNewKey(settings.seal_key_file);
  auto sealer = crypto::Sealer::LoadOrCreate(settings.seal_key_file, false);
  std::printf("added seal key %s to %s (%zu keys)\n", sealer.key_ids().back().c_str(),
              settings.seal_key_file.c_str(), sealer.size());
}

void ListKeys(const Settings& settings) {
  auto keys = crypto::Keyring::LoadOrCreate(settings.secret_file, false);
  const auto& prints = keys.fingerprints();
  for (std::size_t i = 0; i < prints.size(); ++i) {
    std::printf("%zu %s%s\n", i + 1, prints[i].c_str(),
                i + 1 == prints.size() ? " (newest: signs)" : " (verifies)");
  }
  if (std::filesystem::exists(settings.seal_key_file)) {
    auto ids = crypto::Sealer::LoadOrCreate(settings.seal_key_file, false).key_ids();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      std::printf("seal %zu %s%s\n", i + 1, ids[i].c_str(),
                  i + 1 == ids.size() ? " (newest: seals)" : " (opens)");
    }
  }
  // The assertion keys by kid (public: the JWKS shows them too), when the file exists.
  if (!std::filesystem::exists(settings.assertion_key_file)) return;
  auto signing = assertion::SigningKeys::LoadOrCreate(
      settings.assertion_key_file, false, settings.assertion_algorithm, FromUnixSeconds(0));
  const auto& all = signing.keys();
  for (std::size_t i = 0; i < all.size(); ++i) {
    std::printf("assertion %zu %s %s%s\n", i + 1,
                std::string(assertion::AlgorithmName(all[i].algorithm())).c_str(),
                all[i].kid().c_str(), i + 1 == all.size() ? " (newest: signs)" : " (published)");
  }
}

void Serve(const Settings& settings) {
  auto keys = LoadKeys(settings);
  spdlog::info("secret keys loaded from {} ({} key(s))", settings.secret_file, keys.size());
  auto sealer = LoadSealer(settings);
  spdlog::info("seal keys loaded from {} ({} key(s))", settings.seal_key_file, sealer.size());
  // NIST SP 800-63B 5.1.1.2: new passwords are checked against this list; none is a startup
  // failure (LoadFile throws), never a silent "accept everything".
  auto password_policy = identity::PasswordPolicy::LoadFile(settings.common_passwords_file);
  spdlog::info("common-password list loaded from {} ({} passwords)", settings.common_passwords_file,
               password_policy.size());

  // Store and hashing pool threads share --db-pool connections (a thread waits for one).
  auto db = Open(settings, settings.db_pool_size);
  spdlog::info("database {} ({} connections)", store::RedactDatabaseUrl(settings.database_url),
               settings.db_pool_size);
  SystemClock clock;
  auto assertion_keys = LoadAssertionKeys(settings, clock);
  spdlog::info("assertion keys loaded from {} ({} key(s), signing with {} kid {}); iss {}",
               settings.assertion_key_file, assertion_keys.keys().size(),
               assertion::AlgorithmName(assertion_keys.current().algorithm()),
               assertion_keys.current().kid(), settings.public_url);
  Node node(settings, clock, *db, keys, sealer, assertion_keys, password_policy,
            HashParamsOf(settings));
  if (node.assets.size() == 0) spdlog::warn("no assets under {}/assets", settings.web_root);
  if (node.assets.stale_variants() > 0) {
    spdlog::warn("{} .br/.gz files under {}/assets are older than their file and not served",
                 node.assets.stale_variants(), settings.web_root);
  }
  // The feed's thread calls node.store: stopped before the node goes, whatever throws below.
  struct StopFeed {
    store::Database& db;
    ~StopFeed() { db.StopWatchingSessionChanges(); }
  } stop_feed{*db};
  if (node.session_cache.enabled()) {
    // With a change feed the cache serves only once the feed is up (OnFeedUp), which may come
    // from the feed's thread before WatchSessionChanges returns: switch it off first.
    node.session_cache.SetServing(false);
    if (!db->WatchSessionChanges(node.store)) node.session_cache.SetServing(true);  // one process
  }
  SessionSweeper sweeper(node.store, db->throttles(), db->events(), {db->tokens(), db->outbox()},
                         clock, std::chrono::seconds(settings.session_sweep_interval_seconds),
                         std::chrono::seconds(settings.audit_retention_seconds));

  http::ServerOptions options;
  options.address = settings.host;
  options.port = settings.port;
  options.io_threads = settings.io_threads;
  options.hashing_threads = settings.cores;  // hashing is CPU-bound: one thread per core
  options.store_threads = 2 * settings.cores;
  options.tls_cert_file = settings.tls_cert_file;
  options.tls_key_file = settings.tls_key_file;
  options.redirect_address = settings.redirect_host;
  options.redirect_port = settings.redirect_port;
  options.trusted_proxies = settings.trusted_proxies;
  options.max_connections = settings.max_connections;
  options.shutdown_grace = std::chrono::seconds(settings.shutdown_grace_seconds);
  options.upstreams = settings.upstreams;
  options.max_upstream_body = settings.max_upstream_body;
  options.upstream_connect_timeout =
      std::chrono::seconds(settings.upstream_connect_timeout_seconds);
  options.upstream_timeout = std::chrono::seconds(settings.upstream_timeout_seconds);

  // Prometheus metrics on their own listener (metrics/registry.h); routes by pattern.
  std::vector<std::string> route_labels;
  int login_route = -1;
  for (const http::Route& route : node.pipeline.router().routes()) {
    if (route.method == http::Method::kPost && route.path == "/api/auth/login") {
      login_route = static_cast<int>(route_labels.size());
    }
    route_labels.push_back(route.path);
  }
  metrics::Registry metrics(std::move(route_labels), login_route);
  AddStoreMetrics(metrics, node.session_cache, settings, *db, clock);
  metrics::AddProcessMetrics(metrics);
  metrics.AddGauge(
      "latchkey_log_lines_dropped_total",
      "Log lines dropped because the log writer fell behind (docs/OPERATIONS.md).",
      [] { return static_cast<double>(LogLinesDropped()); }, "counter");
  // Mail: the outbox's sender (courier/), stopped before the node goes.
  MailCourier courier(settings, *db, sealer, node.core.audit, clock);
  courier.AddMetrics(metrics, clock);
  options.metrics = &metrics;
  options.metrics_address = settings.metrics_host;
  options.metrics_port = settings.metrics_port;
  options.metrics_handler = [&metrics](const http::Request&) {
    http::Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics.Render();
    return r;
  };

  http::Server server(options, node.pipeline);
  if (!settings.metrics_host.empty()) {
    spdlog::info("metrics listening on http://{}:{}/metrics", settings.metrics_host,
                 server.metrics_port());
  }
  if (!settings.redirect_host.empty()) {
    spdlog::info("redirecting http://{}:{} to HTTPS", settings.redirect_host,
                 settings.redirect_port);
  }
  for (const http::proxy::Upstream& up : settings.upstreams.upstreams()) {
    spdlog::info("proxying {} to http://{} (public url {})", up.prefix, up.authority,
                 settings.public_url);
  }
  spdlog::info(
      "latchkey listening on {}://{}:{} ({} I/O threads, password hash {})",
      server.tls() ? "https" : "http", settings.host, server.port(), options.io_threads,
      settings.password_algorithm == crypto::PasswordAlgorithm::kArgon2id ? "argon2id" : "bcrypt");
  courier.Start();
  server.Run();
}

}  // namespace latchkey::app
