// SessionService and AccountService: a user's devices, revocation, password change.
#include "flows/session_service.h"

#include <gtest/gtest.h>

#include "flows_fixture.h"

namespace latchkey::flows {
namespace {

class SessionServiceTest : public FlowsTest {
 protected:
  void SetUp() override {
    auto a = auth_.Signup({"alice", "correct horse", "Alice"}, {"10.0.0.1", "device A"});
    ASSERT_TRUE(a);
    clock_.Advance(1);
    auto b = auth_.Login({"alice", "correct horse", false}, nullptr, {"10.0.0.2", "device B"});
    ASSERT_TRUE(b);
    a_ = HashOf(*a);
    b_ = HashOf(*b);
  }
  std::optional<session::TokenHash> a_, b_;
};

TEST_F(SessionServiceTest, List_NewestFirstWithCurrentFlag) {
  auto list = sessions_.List(Caller(a_));
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].record.user_agent, "device B");
  EXPECT_FALSE((*list)[0].current);
  EXPECT_EQ((*list)[1].record.user_agent, "device A");
  EXPECT_TRUE((*list)[1].current);
  EXPECT_EQ((*list)[1].record.ip, "10.0.0.1");
}

TEST_F(SessionServiceTest, List_EndedSessionsAreNotShownNorCounted) {
  clock_.Advance(601);  // B (browser session, idle 600 s) has ended unused; A is used below
  auto list = sessions_.List(Caller(a_));
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_TRUE((*list)[0].current);
  auto revoked = sessions_.RevokeOthers(Caller(a_), client_);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(*revoked, 0) << "an ended session is not a revocation";
}

TEST_F(SessionServiceTest, Revoke_OtherDevice_EndsItOnly) {
  auto list = sessions_.List(Caller(a_));
  ASSERT_TRUE(list);
  auto was_current = sessions_.Revoke(Caller(a_), (*list)[0].record.id, client_);
  ASSERT_TRUE(was_current);
  EXPECT_FALSE(*was_current);
  EXPECT_FALSE(Authenticate(b_));
  EXPECT_TRUE(Authenticate(a_));
}

TEST_F(SessionServiceTest, Revoke_AnotherUsersOrUnknownId_SameNotFound) {
  auto mallory = auth_.Signup({"mallory", "another password", ""}, client_);
  ASSERT_TRUE(mallory);
  auto alice_sessions = sessions_.List(Caller(a_));
  ASSERT_TRUE(alice_sessions);
  auto foreign =
      sessions_.Revoke(Caller(HashOf(*mallory)), (*alice_sessions)[0].record.id, client_);
  auto unknown = sessions_.Revoke(Caller(HashOf(*mallory)),
                                  session::SessionId("AAAAAAAAAAAAAAAAAAAAAA"), client_);
  ASSERT_FALSE(foreign);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(foreign.error().code, Errc::kNotFound);
  EXPECT_EQ(foreign.error().message, unknown.error().message);
  EXPECT_TRUE(Authenticate(b_)) << "alice's session untouched";
}

TEST_F(SessionServiceTest, RevokeOthers_KeepsCaller) {
  auto revoked = sessions_.RevokeOthers(Caller(a_), client_);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(*revoked, 1);
  EXPECT_TRUE(Authenticate(a_));
  EXPECT_FALSE(Authenticate(b_));
}

TEST_F(SessionServiceTest, ChangePassword_RotatesCallerAndEndsOthers) {
  auto wrong = accounts_.ChangePassword(Caller(a_), "wrong horse", "a brand new password", client_);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().field, "current_password");
  EXPECT_TRUE(Authenticate(b_)) << "a failed change changes nothing";

  auto weak = accounts_.ChangePassword(Caller(a_), "correct horse", "short", client_);
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error().field, "new_password");

  auto changed =
      accounts_.ChangePassword(Caller(a_), "correct horse", "a brand new password", client_);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_TRUE(changed->persistent) << "A keeps its remember-me choice";
  EXPECT_FALSE(Authenticate(a_)) << "old token of the caller rotated away";
  EXPECT_FALSE(Authenticate(b_)) << "other device ended";
  EXPECT_TRUE(Authenticate(HashOf(*changed)));
  EXPECT_FALSE(auth_.Login({"alice", "correct horse"}, nullptr, client_));
  EXPECT_TRUE(auth_.Login({"alice", "a brand new password"}, nullptr, client_));
}

TEST_F(SessionServiceTest, UpdateProfile_ValidatesAndStores) {
  auto bad = accounts_.UpdateProfile(Caller(a_), std::string(101, 'n'), client_);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "name");
  auto ok = accounts_.UpdateProfile(Caller(a_), "Alice L.", client_);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->name, "Alice L.");
  auto me = Authenticate(b_);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->user().name, "Alice L.");
}

}  // namespace
}  // namespace latchkey::flows
