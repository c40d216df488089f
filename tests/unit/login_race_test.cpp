// A login racing a reset (flows/auth_service.h): the password is verified against the hash
// read before, a reset commits while it is verified, and the login must not leave a session
// from the old password behind ("a reset ends every session").
#include <gtest/gtest.h>

#include "flows/auth_service.h"
#include "flows_fixture.h"

namespace latchkey::flows {
namespace {

// The real store, but a reset of `victim` (another hash, every session deleted) commits right
// after each lookup by username: while the login verifies the password it read.
class ResetAfterLookup final : public identity::UserStore {
 public:
  explicit ResetAfterLookup(identity::UserStore& real) : real_(real) {}

  std::string reset_to;  // empty: no reset

  Result<identity::User> CreateUser(const identity::NewUser& user) override {
    return real_.CreateUser(user);
  }
  Result<std::optional<identity::UserRecord>> FindUserByUsername(
      std::string_view username) override {
    auto found = real_.FindUserByUsername(username);
    if (found && *found && !reset_to.empty()) {
      EXPECT_TRUE(real_.ResetPassword((*found)->user.id, reset_to).value());
    }
    return found;
  }
  Result<std::optional<identity::UserRecord>> FindUserById(identity::UserId id) override {
    return real_.FindUserById(id);
  }
  Result<std::optional<identity::UserRecord>> FindUserByVerifiedEmail(
      std::string_view email_key) override {
    return real_.FindUserByVerifiedEmail(email_key);
  }
  Result<bool> DeleteUser(identity::UserId id) override { return real_.DeleteUser(id); }
  Result<identity::User> UpdateName(identity::UserId id, std::string_view name) override {
    return real_.UpdateName(id, name);
  }
  Result<identity::User> RespellEmail(identity::UserId id, std::string_view email) override {
    return real_.RespellEmail(id, email);
  }
  Result<bool> ResetPassword(identity::UserId id, std::string_view password_hash) override {
    return real_.ResetPassword(id, password_hash);
  }
  Result<bool> RehashPassword(identity::UserId id, std::string_view old_hash,
                              std::string_view new_hash) override {
    return real_.RehashPassword(id, old_hash, new_hash);
  }
  Result<bool> SetDisabled(identity::UserId id, UnixTime at) override {
    return real_.SetDisabled(id, at);
  }

 private:
  identity::UserStore& real_;
};

class LoginRaceTest : public FlowsTest {
 protected:
  ResetAfterLookup users_{store_};
  AuthService racing_{users_,     store_,
                      store_,     hasher_,
                      issuer_,    Guards{audit_, node_.core.throttle, ThrottlePolicies{}},
                      passwords_, EmailSetup{store_, node_.minter, node_.account_mail, false}};

  std::size_t SessionsOf(identity::UserId id) {
    return store_.ListSessions(id, clock_.Now()).value().size();
  }
};

TEST_F(LoginRaceTest, ResetWhileThePasswordIsVerified_NoSessionFromTheOldPassword) {
  auto alice = auth_.Signup({"alice", "correct horse", "Alice"}, client_);
  ASSERT_TRUE(alice) << alice.error().message;
  auto new_hash = hasher_.Hash("the new password");
  ASSERT_TRUE(new_hash);
  users_.reset_to = *new_hash;
  auto login = racing_.Login({"alice", "correct horse"}, nullptr, client_);
  ASSERT_FALSE(login);
  EXPECT_EQ(login.error().code, Errc::kInvalidCredentials);
  EXPECT_EQ(SessionsOf(alice->user.id), 0u);
}

TEST_F(LoginRaceTest, NoRace_LoginsStillGetTheirSession) {
  auto alice = auth_.Signup({"alice", "correct horse", "Alice"}, client_);
  ASSERT_TRUE(alice);
  auto login = racing_.Login({"alice", "correct horse"}, nullptr, client_);
  ASSERT_TRUE(login) << login.error().message;
  EXPECT_EQ(SessionsOf(alice->user.id), 2u);
}

}  // namespace
}  // namespace latchkey::flows
