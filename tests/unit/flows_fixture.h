// A fixture for flow tests: the real SQLite store in a temp dir behind the session cache (as
// in the server), fast hashing parameters, a fake clock and a session policy of lifetime
// 3600 s, idle 1800 s (remember) / 600 s (not).
#pragma once

#include <gtest/gtest.h>

#include "flows/account_service.h"
#include "flows/auth_service.h"
#include "flows/session_service.h"
#include "session/session_cache.h"
#include "store/caching_store.h"
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

  testing::TempDir dir_;
  FakeClock clock_;
  store::sqlite::SqliteDatabase db_{(dir_.path() / "latchkey.db").string(), 2};
  session::SessionCache cache_{1000, std::chrono::seconds(60)};
  store::CachingStore store_{db_, cache_, clock_};
  crypto::Keyring ring_ = Ring();
  crypto::PasswordHasher hasher_{FastParams()};
  session::SessionTokenCodec tokens_{ring_};
  SessionIssuer issuer_{tokens_, clock_, SessionPolicy{3600, 1800, 600, 60}};
  audit::AuditLog audit_{db_.events(), clock_};
  throttle::Throttle throttle_{db_.throttles(), clock_};
  // A stand-in for the common-password list (web/common_passwords.js builds the real one).
  identity::PasswordPolicy passwords_{{"password1", "iloveyou1", "qwertyuiop"}};
  AuthService auth_{store_, store_, hasher_, issuer_, Guards{audit_, throttle_, {}}, passwords_};
  ClientInfo client_{"127.0.0.1", "unit-test"};

  SessionService sessions_{auth_, store_, clock_, audit_};
  AccountService accounts_{auth_, store_, hasher_, issuer_, audit_, db_.events()};

  std::optional<std::string> HashOf(const LoginResult& r) { return tokens_.Verify(r.cookie_value); }
};

}  // namespace latchkey::flows
