// The composed request handling of the fuzz targets (fuzz_app.h).
#include "support/fuzz_app.h"

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "api/routes.h"
#include "flows/account_service.h"
#include "flows/session_issuer.h"
#include "flows/session_service.h"
#include "http/origin_policy.h"
#include "http/static_files.h"
#include "identity/password_policy.h"
#include "session/session_cache.h"
#include "session/touch_batcher.h"
#include "store/caching_store.h"
#include "store/sqlite/sqlite_database.h"
#include "support/fuzz_keys.h"
#include "web/page.h"

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

// The web root: the page template and two assets, so that the page and asset routes answer.
std::filesystem::path MakeWebRoot(const std::filesystem::path& dir) {
  std::filesystem::path root = dir / "web";
  WriteFile(root / "index.html",
            "<!doctype html><meta name=\"csrf-token\" content=\"{{csrf_token}}\"><p>fuzz</p>\n");
  WriteFile(root / "assets" / "app.js", "console.log('fuzz');\n");
  WriteFile(root / "assets" / "app.css", "body{margin:0}\n");
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

// Declared in the order app/app.cpp builds them (each part refers to earlier ones).
struct FuzzApp::Parts {
  TempDir dir;
  std::filesystem::path web_root = MakeWebRoot(dir.path);
  FakeClock clock;
  store::sqlite::SqliteDatabase db{(dir.path / "latchkey.db").string(), 2};
  session::SessionCache cache{1000, std::chrono::seconds(60)};
  store::CachingStore store{db, cache, clock};
  session::TouchBatcher touches{db.sessions(), std::chrono::seconds(1)};
  crypto::PasswordHasher hasher{CheapHashing()};
  session::SessionTokenCodec tokens{ServerKeys()};
  session::CsrfTokens csrf{ServerKeys()};
  flows::SessionIssuer issuer{tokens, clock, flows::SessionPolicy{}};
  audit::AuditLog audit{db.events(), clock};
  throttle::Throttle throttle{db.throttles(), clock};
  // A stand-in for web/dist/assets/common-passwords.txt (built by npm, not in the repo).
  identity::PasswordPolicy passwords{{"password1", "iloveyou1", "qwertyuiop", "123456789"}};
  flows::AuthService auth{
      store,    store, hasher, issuer, flows::Guards{audit, throttle, flows::ThrottlePolicies{}},
      passwords};
  flows::AccountService accounts{auth, store, hasher, issuer, audit, db.events()};
  flows::SessionService sessions{auth, store, clock, audit};
  web::PageTemplate page{web_root};
  http::StaticFiles assets{web_root};
  api::CookiePolicy cookie_policy{};
  api::SessionCookies cookies{tokens, cookie_policy};
  api::AuthApi auth_api{auth, cookies, csrf};
  api::AccountApi account_api{accounts, cookies};
  api::SessionsApi sessions_api{sessions, cookies};
  api::PageApi page_api{page, assets, csrf, cookie_policy};
  api::HealthApi health_api{db};
  http::OriginPolicy origin_policy{};
  http::Router router =
      api::BuildRouter({auth_api, account_api, sessions_api, health_api, page_api});

  Parts() {
    store.SetTouchBatcher(&touches);
    router.SetOriginGuard([this](const http::Request& r) { return origin_policy.Check(r); });
  }
  ~Parts() { store.SetTouchBatcher(nullptr); }
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
  csrf_token_ = parts_->csrf.Issue(csrf_binding_);
  LiveSessionCookie();
}

FuzzApp::~FuzzApp() = default;

void FuzzApp::Tick(long seconds) { parts_->clock.Advance(seconds); }

http::Response FuzzApp::Handle(http::Request& request) {
  http::Dispatch dispatch = parts_->router.Resolve(request);
  request.path_params = std::move(dispatch.params);
  http::Response response;
  std::optional<http::Response> fast;
  if (dispatch.fast) fast = (*dispatch.fast)(request);
  if (dispatch.immediate) {
    response = std::move(*dispatch.immediate);
  } else if (fast) {
    response = std::move(*fast);
  } else {
    response = (*dispatch.handler)(request);
  }
  http::Router::ApplyCommonHeaders(request, response);
  return response;
}

const std::string& FuzzApp::LiveSessionCookie() {
  if (!session_cookie_.empty() &&
      parts_->auth.Authenticate(parts_->tokens.Verify(session_cookie_))) {
    return session_cookie_;
  }
  // Ended by an earlier input (logout, revoke, password change, removal): a new user.
  for (int attempt = 0; attempt < 100; ++attempt) {
    flows::SignupInput in{"fuzzer" + std::to_string(++users_made_), "correct horse battery", "Fuzz",
                          true};
    // From an address of its own, so that the inputs' signups never rate-limit this one.
    auto made = parts_->auth.Signup(in, flows::ClientInfo{"192.0.2.1", "fuzz-setup"});
    if (made) {
      session_cookie_ = made->cookie_value;
      return session_cookie_;
    }
    if (made.error().code != Errc::kUsernameTaken && made.error().code != Errc::kRateLimited) {
      throw std::runtime_error("fuzz setup: signup failed: " + made.error().message);
    }
    Tick(3600);  // past the hourly signup cap of the setup address
  }
  throw std::runtime_error("fuzz setup: cannot sign up a user");
}

const session::SessionTokenCodec& FuzzApp::tokens() const { return parts_->tokens; }
const session::CsrfTokens& FuzzApp::csrf() const { return parts_->csrf; }
const api::SessionCookies& FuzzApp::cookies() const { return parts_->cookies; }
const identity::PasswordPolicy& FuzzApp::passwords() const { return parts_->passwords; }
api::AuthApi& FuzzApp::auth_api() { return parts_->auth_api; }
api::AccountApi& FuzzApp::account_api() { return parts_->account_api; }

}  // namespace latchkey::fuzz
