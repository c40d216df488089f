// AuthService against the real SQLite store in a temp dir, with a fake clock.
#include "flows/auth_service.h"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "test_support.h"

namespace latchkey::flows {
namespace {

class AuthServiceTest : public ::testing::Test {
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
  store::sqlite::SqliteStore store_{(dir_.path() / "latchkey.db").string(), 2};
  crypto::Keyring ring_ = Ring();
  crypto::PasswordHasher hasher_{FastParams()};
  session::SessionTokenCodec tokens_{ring_};
  FakeClock clock_;
  AuthService auth_{store_, store_, hasher_, tokens_, clock_, SessionPolicy{3600}};
  ClientInfo client_{"127.0.0.1", "unit-test"};

  std::optional<std::string> HashOf(const LoginResult& r) { return tokens_.Verify(r.cookie_value); }
};

TEST_F(AuthServiceTest, Signup_ThenAuthenticate_ReturnsUser) {
  auto r = auth_.Signup({"alice", "correct horse", "Alice"}, client_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->user.username, "alice");
  auto me = auth_.Authenticate(HashOf(*r));
  ASSERT_TRUE(me);
  EXPECT_EQ(me->user.id, r->user.id);
  EXPECT_EQ(me->session.user_agent, "unit-test");
}

TEST_F(AuthServiceTest, Signup_InvalidField_NamesIt) {
  auto r = auth_.Signup({"al", "correct horse", ""}, client_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "username");
  r = auth_.Signup({"alice", "short", ""}, client_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "password");
  r = auth_.Signup({"alice", "correct horse", "bad\x01"}, client_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "name");
}

TEST_F(AuthServiceTest, Signup_SameUsernameAnyCase_IsTaken) {
  ASSERT_TRUE(auth_.Signup({"Alice", "correct horse", ""}, client_));
  auto r = auth_.Signup({"aLICE", "another password", ""}, client_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUsernameTaken);
  EXPECT_EQ(r.error().field, "username");
}

TEST_F(AuthServiceTest, Login_UnknownUserAndWrongPassword_SameError) {
  ASSERT_TRUE(auth_.Signup({"alice", "correct horse", ""}, client_));
  auto wrong = auth_.Login({"alice", "wrong password"}, std::nullopt, client_);
  auto unknown = auth_.Login({"nobody", "wrong password"}, std::nullopt, client_);
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().code, Errc::kInvalidCredentials);
  EXPECT_EQ(unknown.error().code, wrong.error().code);
  EXPECT_EQ(unknown.error().message, wrong.error().message);
  EXPECT_EQ(unknown.error().field, wrong.error().field);
}

TEST_F(AuthServiceTest, Login_RotatesAndDeletesPresentedSession) {
  auto signup = auth_.Signup({"alice", "correct horse", ""}, client_);
  ASSERT_TRUE(signup);
  auto old_hash = HashOf(*signup);
  auto login = auth_.Login({"ALICE", "correct horse"}, old_hash, client_);
  ASSERT_TRUE(login);
  EXPECT_NE(login->cookie_value, signup->cookie_value);
  EXPECT_FALSE(auth_.Authenticate(old_hash)) << "pre-login session is gone";
  EXPECT_TRUE(auth_.Authenticate(HashOf(*login)));
}

TEST_F(AuthServiceTest, Logout_DeletesOnlyThatSession) {
  auto a = auth_.Signup({"alice", "correct horse", ""}, client_);
  ASSERT_TRUE(a);
  auto b = auth_.Login({"alice", "correct horse"}, std::nullopt, client_);
  ASSERT_TRUE(b);
  ASSERT_TRUE(auth_.Logout(HashOf(*a)));
  EXPECT_FALSE(auth_.Authenticate(HashOf(*a)));
  EXPECT_TRUE(auth_.Authenticate(HashOf(*b))) << "other device stays logged in";
  EXPECT_TRUE(auth_.Logout(std::nullopt)) << "idempotent without a session";
}

TEST_F(AuthServiceTest, Authenticate_AfterLifetime_RefusesAndDeletes) {
  auto a = auth_.Signup({"alice", "correct horse", ""}, client_);
  ASSERT_TRUE(a);
  clock_.Advance(3599);
  EXPECT_TRUE(auth_.Authenticate(HashOf(*a)));
  clock_.Advance(1);
  auto r = auth_.Authenticate(HashOf(*a));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnauthenticated);
  auto found = store_.FindSessionByTokenHash(*HashOf(*a));
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value()) << "expired row removed";
}

TEST_F(AuthServiceTest, RemoveAccount_DeletesUserAndAllSessions) {
  auto a = auth_.Signup({"alice", "correct horse", ""}, client_);
  ASSERT_TRUE(a);
  auto b = auth_.Login({"alice", "correct horse"}, std::nullopt, client_);
  ASSERT_TRUE(b);
  EXPECT_FALSE(auth_.RemoveAccount(std::nullopt));
  ASSERT_TRUE(auth_.RemoveAccount(HashOf(*a)));
  EXPECT_FALSE(auth_.Authenticate(HashOf(*b)));
  EXPECT_FALSE(auth_.Login({"alice", "correct horse"}, std::nullopt, client_));
  EXPECT_TRUE(auth_.Signup({"alice", "a new password", ""}, client_)) << "username is free again";
}

TEST_F(AuthServiceTest, SweepExpired_RemovesOnlyExpired) {
  auto a = auth_.Signup({"alice", "correct horse", ""}, client_);
  ASSERT_TRUE(a);
  clock_.Advance(1800);
  auto b = auth_.Login({"alice", "correct horse"}, std::nullopt, client_);
  ASSERT_TRUE(b);
  auto swept = store_.DeleteExpiredSessions(clock_.Now() + 1800);
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 1);
  EXPECT_TRUE(auth_.Authenticate(HashOf(*b)));
}

}  // namespace
}  // namespace latchkey::flows
