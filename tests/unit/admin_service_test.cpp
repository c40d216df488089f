// flows::AdminService on the real SQLite store behind the session cache (as in the server):
// disabled users (sessions end, login 403 only with the right password, never resolved even
// when a login races the disable), the operator's password reset, adding users with the
// signup rules, revoking sessions by public id or by user.
#include "flows/admin_service.h"

#include "flows_fixture.h"

namespace latchkey::flows {
namespace {

class AdminServiceTest : public FlowsTest {
 protected:
  LoginResult SignupAlice() {
    auto r = auth_.Signup({"alice", "correct horse battery", "Alice", true}, client_);
    EXPECT_TRUE(r) << r.error().message;
    return *r;
  }
  session::TokenHash HashOf(const LoginResult& login) {
    auto hash = tokens_.Verify(login.cookie_value.Reveal());
    EXPECT_TRUE(hash);
    return hash.value_or(session::TokenHash());
  }
  Result<LoginResult> Login(const std::string& password) {
    return auth_.Login({"alice", password, true}, nullptr, client_);
  }

  AdminService admin_{store_, store_, hasher_, passwords_, audit_, clock_};
};

TEST_F(AdminServiceTest, Disable_EndsSessions_LoginRightPassword403_WrongPassword401) {
  auto first = SignupAlice();
  ASSERT_TRUE(Authenticate(HashOf(first)));  // cached now
  ASSERT_TRUE(admin_.Disable("ALICE").value());
  auto after = Authenticate(HashOf(first));
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, Errc::kUnauthenticated);

  auto right = Login("correct horse battery");
  ASSERT_FALSE(right);
  EXPECT_EQ(right.error().code, Errc::kAccountDisabled);
  auto wrong = Login("not the password");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::kInvalidCredentials);
  auto sessions = db_.sessions().ListSessions(first.user.id, clock_.Now());
  ASSERT_TRUE(sessions);
  EXPECT_TRUE(sessions->empty());

  EXPECT_FALSE(admin_.Disable("alice").value()) << "already disabled: nothing written";
  ASSERT_TRUE(admin_.Enable("alice").value());
  EXPECT_FALSE(admin_.Enable("alice").value());
  EXPECT_TRUE(Login("correct horse battery"));
}

TEST_F(AdminServiceTest, Disable_SessionInsertedAfterwards_IsNeverResolved) {
  auto first = SignupAlice();
  ASSERT_TRUE(admin_.Disable("alice").value());
  // A login that verified the password before the disable and inserts its session after it.
  auto issued = issuer_.Issue(first.user.id, true, client_);
  ASSERT_TRUE(db_.sessions().InsertSession(issued.record, nullptr));
  auto found = db_.sessions().FindSessionByTokenHash(issued.record.token_hash);
  ASSERT_TRUE(found);
  EXPECT_FALSE(*found);
  EXPECT_FALSE(Authenticate(issued.record.token_hash));
  // Enabling the user again must not bring that session back to life.
  ASSERT_TRUE(admin_.Enable("alice").value());
  EXPECT_FALSE(Authenticate(issued.record.token_hash));
  auto after = db_.sessions().FindSessionByTokenHash(issued.record.token_hash);
  ASSERT_TRUE(after);
  EXPECT_FALSE(*after) << "the racing login's session is deleted";
}

TEST_F(AdminServiceTest, Disable_Unknown_IsNotFound) {
  auto r = admin_.Disable("nobody");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kNotFound);
}

TEST_F(AdminServiceTest, SetPassword_EndsEverySession_NewPasswordOnly) {
  auto first = SignupAlice();
  auto second = Login("correct horse battery");
  ASSERT_TRUE(second);
  ASSERT_TRUE(Authenticate(HashOf(first)));
  ASSERT_TRUE(admin_.SetPassword("alice", "a brand new passphrase"));
  EXPECT_FALSE(Authenticate(HashOf(first)));
  EXPECT_FALSE(Authenticate(HashOf(*second)));
  EXPECT_FALSE(Login("correct horse battery"));
  EXPECT_TRUE(Login("a brand new passphrase"));
}

TEST_F(AdminServiceTest, SetPassword_SignupRules_RefuseWithoutWriting) {
  SignupAlice();
  for (const char* bad : {"short", "password1", "Alice", "ALICE"}) {
    auto r = admin_.SetPassword("alice", bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::kInvalidInput) << bad;
  }
  EXPECT_TRUE(Login("correct horse battery"));
}

TEST_F(AdminServiceTest, AddUser_RulesAndTakenName) {
  auto added = admin_.AddUser("Bob.B", "Bob", "correct horse battery");
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_GT(added->id.value(), 0);
  auto again = admin_.AddUser("bob.b", "", "correct horse battery");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kUsernameTaken);
  for (auto [user, pw] : {std::pair{"x", "correct horse battery"}, std::pair{"carol", "iloveyou1"},
                          std::pair{"carol", "carol"}, std::pair{"carol", "short"}}) {
    auto r = admin_.AddUser(user, "", pw);
    ASSERT_FALSE(r) << user << "/" << pw;
    EXPECT_EQ(r.error().code, Errc::kInvalidInput);
  }
  // No session: add never logs anyone in.
  auto sessions = db_.sessions().ListSessions(added->id, clock_.Now());
  ASSERT_TRUE(sessions);
  EXPECT_TRUE(sessions->empty());
  EXPECT_TRUE(auth_.Login({"BOB.B", "correct horse battery", true}, nullptr, client_));
}

TEST_F(AdminServiceTest, FindUser_ByUsernameAnyCaseOrById) {
  auto first = SignupAlice();
  EXPECT_EQ(admin_.FindUser("ALICE")->user.id, first.user.id);
  EXPECT_EQ(admin_.FindUser(std::to_string(first.user.id.value()))->user.username, "alice");
  EXPECT_EQ(admin_.FindUser("99999").error().code, Errc::kNotFound);
}

TEST_F(AdminServiceTest, RevokeSession_ByPublicId_OnlyThatOne) {
  auto first = SignupAlice();
  auto second = Login("correct horse battery");
  ASSERT_TRUE(second);
  auto live = db_.sessions().ListSessions(first.user.id, clock_.Now());
  ASSERT_TRUE(live);
  ASSERT_EQ(live->size(), 2u);
  session::SessionId first_id;
  for (const auto& s : *live) {
    if (s.token_hash == HashOf(first)) first_id = s.id;
  }
  auto revoked = admin_.RevokeSession(session::SessionId(first_id));
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->user_id, first.user.id);
  EXPECT_FALSE(Authenticate(HashOf(first)));
  EXPECT_TRUE(Authenticate(HashOf(*second)));
  EXPECT_EQ(admin_.RevokeSession(session::SessionId(first_id)).error().code, Errc::kNotFound);
  EXPECT_EQ(admin_.RevokeSession(session::SessionId("no-such-id")).error().code, Errc::kNotFound);
}

TEST_F(AdminServiceTest, RevokeUserSessions_CountsLiveOnes) {
  auto first = SignupAlice();
  ASSERT_TRUE(Login("correct horse battery"));
  EXPECT_EQ(admin_.RevokeUserSessions("alice").value(), 2);
  EXPECT_FALSE(Authenticate(HashOf(first)));
  EXPECT_EQ(admin_.RevokeUserSessions("alice").value(), 0);
  EXPECT_EQ(admin_.RevokeUserSessions("nobody").error().code, Errc::kNotFound);
}

}  // namespace
}  // namespace latchkey::flows
