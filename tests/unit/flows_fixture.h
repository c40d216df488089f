// A fixture for flow tests: the composition root (app/node.h) over the real SQLite store in a
// temp dir, as `latchkey serve` builds it, with a fake clock, fast hashing parameters, no
// background threads (uses written through, no refresh ahead), and a session policy of
// lifetime 3600 s, idle 1800 s (remember) / 600 s (not), uses recorded at most once a minute.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>

#include "app/node.h"
#include "http/request.h"
#include "store/sqlite/sqlite_database.h"
#include "test_support.h"

namespace latchkey::flows {

class FlowsTest : public ::testing::Test {
 protected:
  static crypto::Keyring Ring() {
    std::vector<Secret> keys;
    keys.emplace_back(std::string(32, 's'));
    return crypto::Keyring(std::move(keys));
  }
  static crypto::PasswordHashParams FastParams() {
    crypto::PasswordHashParams p;
    p.argon2_memlimit = 1u << 20;  // tests only: fast; production uses the OWASP minimum
    p.argon2_opslimit = 1;
    return p;
  }
  // Settings as `latchkey serve` resolves them by default, with a web root (the page template
  // and one asset) written under `dir`.
  static app::Settings TestSettings(const std::filesystem::path& dir) {
    app::Settings s = app::Resolve(app::ServeConfig{});
    s.web_root = (dir / "web").string();
    std::filesystem::create_directories(dir / "web" / "assets");
    std::ofstream(dir / "web" / "index.html")
        << "<meta name=\"csrf-token\" content=\"{{csrf_token}}\">";
    std::ofstream(dir / "web" / "assets" / "app.js") << "1;";
    s.session_lifetime_seconds = 3600;
    s.session_idle_timeout_seconds = 1800;
    s.session_idle_timeout_short_seconds = 600;
    s.session_cache_entries = 1000;
    return s;
  }

  testing::TempDir dir_;
  FakeClock clock_;
  store::sqlite::SqliteDatabase db_{(dir_.path() / "latchkey.db").string(), 2};
  crypto::Keyring ring_ = Ring();
  crypto::Sealer sealer_{std::vector<Secret>{Secret(std::string(32, 'z'))}};
  assertion::SigningKeys assertion_keys_ =
      assertion::SigningKeys::Generate(assertion::Algorithm::kEdDSA, clock_.Now());
  // A stand-in for the common-password list (web/common_passwords.js builds the real one).
  identity::PasswordPolicy passwords_{{"password1", "iloveyou1", "qwertyuiop"}};
  app::Settings settings_ = TestSettings(dir_.path());
  app::Node node_{
      settings_,
      clock_,
      db_,
      ring_,
      sealer_,
      assertion_keys_,
      passwords_,
      FastParams(),
      app::NodeOptions{
          .batch_touches = false, .refresh_ahead = false, .background_recovery = false}};

  session::SessionCache& cache_ = node_.session_cache;
  store::CachingStore& store_ = node_.store;
  session::SessionResolver& resolver_ = node_.resolver;
  session::SessionTokenCodec& tokens_ = node_.tokens;
  AuthService& auth_ = node_.auth;
  SessionService& sessions_ = node_.sessions;
  AccountService& accounts_ = node_.accounts;
  SessionIssuer& issuer_ = node_.issuer;
  crypto::PasswordHasher& hasher_ = node_.core.hasher;
  audit::AuditLog& audit_ = node_.core.audit;
  ClientInfo client_{"127.0.0.1", "unit-test"};

  std::optional<session::TokenHash> HashOf(const LoginResult& r) {
    return tokens_.Verify(r.cookie_value.Reveal());
  }

  // The principal of a verified cookie's token hash, resolved as the request pipeline does it
  // (the cache first, the store on a miss); kUnauthenticated when it is not a live session.
  Result<session::Principal> Authenticate(const std::optional<session::TokenHash>& token_hash) {
    if (!token_hash) return MakeError(Errc::kUnauthenticated, "no cookie");
    auto resolved = resolver_.ResolveInMemory(*token_hash);
    if (!resolved) {
      auto read = resolver_.Resolve(*token_hash);
      if (!read) return read.error();
      resolved = std::move(*read);
    }
    if (!resolved->live()) return MakeError(Errc::kUnauthenticated, "session ended");
    return *resolved->principal;
  }

  // The caller behind a live session, kept alive by the fixture (flows take a pointer or a
  // reference); throws (failing the test) when the session is not live.
  const session::Principal& Caller(const std::optional<session::TokenHash>& token_hash) {
    return callers_.emplace_back(Authenticate(token_hash).value());
  }

  // A request to this node as the transport would hand it to the pipeline (api/pipeline.h).
  http::Request Make(http::Method method, std::string path) {
    http::Request r;
    r.method = method;
    r.path = std::move(path);
    r.host = "latchkey.test";
    r.client_ip = "127.0.0.1";
    return r;
  }

  // A state-changing request that passes the origin and CSRF steps: a CSRF binding cookie and
  // its token.
  http::Request Guarded(http::Method method, std::string path) {
    http::Request r = Make(method, std::move(path));
    std::string binding = session::CsrfTokens::NewBinding();
    r.cookie = "latchkey_csrf=" + binding;
    r.csrf_token = node_.csrf.Issue(binding);
    return r;
  }

 private:
  std::deque<session::Principal> callers_;
};

}  // namespace latchkey::flows
