#include "app/app.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>

#include "api/auth_api.h"
#include "api/page_api.h"
#include "api/routes.h"
#include "crypto/keyring.h"
#include "crypto/password_hasher.h"
#include "flows/auth_service.h"
#include "http/server.h"
#include "http/static_files.h"
#include "session/csrf.h"
#include "session/session_token.h"
#include "store/sqlite/sqlite_store.h"
#include "web/page.h"

namespace latchkey::app {
namespace {

// The data dir holds the database and the secret key: owner-only (ASVS 8.3.x, 6.4.1).
void EnsureDataDir(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec)) {
    ::chmod(dir.c_str(), 0700);
  } else if (ec) {
    throw std::runtime_error("cannot create data dir " + dir + ": " + ec.message());
  }
}

}  // namespace

void Migrate(const Settings& settings) {
  EnsureDataDir(settings.data_dir);
  store::sqlite::SqliteStore store(settings.database_path, 1);
  spdlog::info("database {} is at the newest schema", settings.database_path);
}

void Serve(const Settings& settings) {
  EnsureDataDir(settings.data_dir);
  auto keys = crypto::Keyring::LoadOrCreate(settings.secret_file, /*create_if_missing=*/true);
  spdlog::info("secret keys loaded from {} ({} key(s))", settings.secret_file, keys.size());

  crypto::PasswordHashParams hash_params;
  hash_params.algorithm = settings.password_algorithm;
  crypto::PasswordHasher hasher(hash_params);

  http::ServerOptions options;
  options.address = settings.host;
  options.port = settings.port;
  options.io_threads = settings.io_threads;
  options.hashing_threads = settings.cores;  // hashing is CPU-bound: one thread per core
  options.store_threads = 2 * settings.cores;

  // Every pool thread may hold a connection at once (logins run store calls on the hashing pool).
  store::sqlite::SqliteStore store(
      settings.database_path,
      static_cast<std::size_t>(options.store_threads + options.hashing_threads));

  session::SessionTokenCodec tokens(keys);
  session::CsrfTokens csrf(keys);
  SystemClock clock;
  flows::AuthService auth(store, store, hasher, tokens, clock,
                          flows::SessionPolicy{settings.cookie_max_age_seconds});

  web::PageTemplate page(settings.web_root);
  http::StaticFiles assets(settings.web_root);
  if (assets.size() == 0) spdlog::warn("no assets under {}/assets", settings.web_root);

  api::CookiePolicy cookies{settings.cookie_max_age_seconds};
  api::AuthApi auth_api(auth, tokens, csrf, cookies);
  api::PageApi page_api(page, assets, csrf, cookies);
  http::Router router = api::BuildRouter(auth_api, page_api);

  http::Server server(options, router);
  spdlog::info("latchkey listening on http://{}:{} ({} I/O threads, password hash {})",
               settings.host, server.port(), options.io_threads,
               settings.password_algorithm == crypto::PasswordAlgorithm::kArgon2id ? "argon2id"
                                                                                    : "bcrypt");
  server.Run();
}

}  // namespace latchkey::app
