// The composed request handling of the fuzz targets (fuzz_app.h).
#include "support/fuzz_app.h"

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "app/node.h"
#include "store/sqlite/sqlite_database.h"
#include "support/fuzz_keys.h"

namespace latchkey::fuzz {
namespace {

std::filesystem::path MakeTempDir() {
  if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
  std::string tmpl = (std::filesystem::temp_directory_path() / "latchkey-fuzz-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// The web root: the page template and assets, so that the page and asset routes answer; one
// content-hashed asset with .br and .gz variants (their bytes are never decoded by the server),
// so that Accept-Encoding and If-None-Match choose among representations.
std::filesystem::path MakeWebRoot(const std::filesystem::path& dir) {
  std::filesystem::path root = dir / "web";
  WriteFile(root / "index.html",
            "<!doctype html><meta name=\"csrf-token\" content=\"{{csrf_token}}\"><p>fuzz</p>\n");
  WriteFile(root / "assets" / "app.js", "console.log('fuzz');\n");
  WriteFile(root / "assets" / "app.css", "body{margin:0}\n");
  WriteFile(root / "assets" / "app.0123abcd.js", "console.log('hashed');\n");
  WriteFile(root / "assets" / "app.0123abcd.js.br", "br variant");
  WriteFile(root / "assets" / "app.0123abcd.js.gz", "gzip variant");
  return root;
}

crypto::PasswordHashParams CheapHashing() {
  crypto::PasswordHashParams p;
  p.argon2_memlimit = 1u << 20;  // fuzzing only: ~1 ms a hash; production uses 19 MiB, t=2
  p.argon2_opslimit = 1;
  return p;
}

// Removes the temporary directory at exit, after everything that uses it is gone.
struct TempDir {
  std::filesystem::path path = MakeTempDir();
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

// The settings of a default `latchkey serve` (app/config.h's defaults, written out: the fuzz
// build leaves the flag parsing out), over the temporary web root.
app::Settings FuzzSettings(const std::filesystem::path& web_root) {
  app::Settings s;
  s.web_root = web_root.string();
  s.session_cache_entries = 1000;
  s.cookie_max_age_seconds = 30 * 86400;
  s.session_lifetime_seconds = 30 * 86400;
  s.session_idle_timeout_seconds = 14 * 86400;
  s.session_idle_timeout_short_seconds = 2 * 3600;
  s.signup_rate_limit = 20;
  s.login_free_failures = 5;
  return s;
}

// The composition root (app/node.h) over what the fuzz targets swap: the clock, the database
// in a temporary directory, fixed keys, a small password list, cheap hashing.
struct FuzzApp::Parts {
  TempDir dir;
  std::filesystem::path web_root = MakeWebRoot(dir.path);
  app::Settings settings = FuzzSettings(web_root);
  FakeClock clock;
  store::sqlite::SqliteDatabase db{(dir.path / "latchkey.db").string(), 2};
  // A stand-in for web/dist/assets/common-passwords.txt (built by npm, not in the repo).
  identity::PasswordPolicy passwords{{"password1", "iloveyou1", "qwertyuiop", "123456789"}};
  // A fresh assertion key (only GET /.well-known/jwks.json shows it: its public half).
  assertion::SigningKeys assertion_keys =
      assertion::SigningKeys::Generate(assertion::Algorithm::kEdDSA, clock.Now());
  // The refresher would re-read sessions on its own thread, at wall-clock times: no replay.
  crypto::Sealer sealer{std::vector<Secret>{Secret(std::string(32, 'z'))}};
  app::Node node{settings,
                 clock,
                 db,
                 ServerKeys(),
                 sealer,
                 assertion_keys,
                 passwords,
                 CheapHashing(),
                 app::NodeOptions{.batch_touches = true, .refresh_ahead = false}};
};

FuzzApp& FuzzApp::Instance() {
  static FuzzApp* app = new FuzzApp();  // never destroyed: libFuzzer exits from anywhere
  return *app;
}

FuzzApp::FuzzApp() {
  spdlog::set_level(spdlog::level::off);  // handlers log failures; millions of lines otherwise
  parts_ = std::make_unique<Parts>();
  auto proxy = http::TrustedProxies::ParseCidr(kPeer);
  if (!proxy) throw std::runtime_error("cannot parse the fuzz peer address");
  proxies_.Add(*proxy);
  csrf_binding_ = std::string(kCsrfBinding);
  csrf_token_ = parts_->node.csrf.Issue(csrf_binding_);
  LiveSessionCookie();
}

FuzzApp::~FuzzApp() = default;

void FuzzApp::Tick(long seconds) { parts_->clock.Advance(Seconds(seconds)); }

http::Response FuzzApp::Handle(http::Request& request) {
  return parts_->node.pipeline.Handle(request);
}

const std::string& FuzzApp::LiveSessionCookie() {
  if (!session_cookie_.empty()) {
    if (auto hash = parts_->node.tokens.Verify(session_cookie_)) {
      auto resolved = parts_->node.resolver.Resolve(*hash);
      if (resolved && resolved->live()) return session_cookie_;
    }
  }
  // Ended by an earlier input (logout, revoke, password change, removal): a new user.
  for (int attempt = 0; attempt < 100; ++attempt) {
    flows::SignupInput in{"fuzzer" + std::to_string(++users_made_), "correct horse battery", "Fuzz",
                          true};
    // From an address of its own, so that the inputs' signups never rate-limit this one.
    auto made = parts_->node.auth.Signup(in, flows::ClientInfo{"192.0.2.1", "fuzz-setup"});
    if (made) {
      session_cookie_ = std::string(made->cookie_value.Reveal());
      return session_cookie_;
    }
    if (made.error().code != Errc::kUsernameTaken && made.error().code != Errc::kRateLimited) {
      throw std::runtime_error("fuzz setup: signup failed: " + made.error().message);
    }
    Tick(3600);  // past the hourly signup cap of the setup address
  }
  throw std::runtime_error("fuzz setup: cannot sign up a user");
}

const session::SessionTokenCodec& FuzzApp::tokens() const { return parts_->node.tokens; }
const session::CsrfTokens& FuzzApp::csrf() const { return parts_->node.csrf; }
const api::SessionCookies& FuzzApp::cookies() const { return parts_->node.cookies; }
const identity::PasswordPolicy& FuzzApp::passwords() const { return parts_->passwords; }
api::AuthApi& FuzzApp::auth_api() { return parts_->node.auth_api; }
api::AccountApi& FuzzApp::account_api() { return parts_->node.account_api; }
api::Pipeline& FuzzApp::pipeline() { return parts_->node.pipeline; }

}  // namespace latchkey::fuzz
