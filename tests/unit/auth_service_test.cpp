// AuthService against the real SQLite store in a temp dir, with a fake clock.
#include "flows/auth_service.h"

#include <gtest/gtest.h>

#include "flows_fixture.h"

namespace latchkey::flows {
namespace {

using AuthServiceTest = FlowsTest;

TEST_F(AuthServiceTest, Signup_ThenAuthenticate_ReturnsUser) {
  auto r = auth_.Signup({"alice", "correct horse", "Alice"}, client_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->user.username, "alice");
  auto me = Authenticate(HashOf(*r));
  ASSERT_TRUE(me);
  EXPECT_EQ(me->user().id, r->user.id);
  EXPECT_EQ(me->session().user_agent, "unit-test");
}

// A session id is pasted into `latchkey session revoke <id>`: one starting with '-' would read
// as an option there (1 in 64 of plain base64url ids did).
TEST_F(AuthServiceTest, IssuedSessionIds_NeverStartWithADash) {
  int dashes_inside = 0;
  for (int i = 0; i < 2000; ++i) {
    IssuedSession s = issuer_.Issue(identity::UserId{1}, true, client_);
    const std::string& id = s.record.id.value();
    ASSERT_EQ(id.size(), 22u);
    ASSERT_NE(id.front(), '-') << id;
    if (id.find('-') != std::string::npos) ++dashes_inside;
  }
  EXPECT_GT(dashes_inside, 0) << "still base64url: '-' elsewhere in the id";
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
  auto wrong = auth_.Login({"alice", "wrong password"}, nullptr, client_);
  auto unknown = auth_.Login({"nobody", "wrong password"}, nullptr, client_);
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
  auto login = auth_.Login({"ALICE", "correct horse"}, &Caller(old_hash), client_);
  ASSERT_TRUE(login);
  EXPECT_NE(login->cookie_value.Reveal(), signup->cookie_value.Reveal());
  EXPECT_FALSE(Authenticate(old_hash)) << "pre-login session is gone";
  EXPECT_TRUE(Authenticate(HashOf(*login)));
}

TEST_F(AuthServiceTest, Logout_DeletesOnlyThatSession) {
  auto a = auth_.Signup({"alice", "correct horse", ""}, client_);
  ASSERT_TRUE(a);
  auto b = auth_.Login({"alice", "correct horse"}, nullptr, client_);
  ASSERT_TRUE(b);
  ASSERT_TRUE(auth_.Logout(&Caller(HashOf(*a)), client_));
  EXPECT_FALSE(Authenticate(HashOf(*a)));
  EXPECT_TRUE(Authenticate(HashOf(*b))) << "other device stays logged in";
  EXPECT_TRUE(auth_.Logout(nullptr, client_)) << "idempotent without a session";
}

TEST_F(AuthServiceTest, Authenticate_AfterLifetime_RefusesAndDeletesEvenWhenUsed) {
  auto a = auth_.Signup({"alice", "correct horse", ""}, client_);
  ASSERT_TRUE(a);
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(Seconds(719));  // used every 12 minutes: the idle timeout never hits
    EXPECT_TRUE(Authenticate(HashOf(*a))) << i;
  }
  clock_.Advance(Seconds(3600 - 5 * 719));
  auto r = Authenticate(HashOf(*a));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnauthenticated);
  auto found = store_.FindSessionByTokenHash(*HashOf(*a));
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value()) << "expired row removed";
}

TEST_F(AuthServiceTest, RemoveAccount_DeletesUserAndAllSessions) {
  auto a = auth_.Signup({"alice", "correct horse", ""}, client_);
  ASSERT_TRUE(a);
  auto b = auth_.Login({"alice", "correct horse"}, nullptr, client_);
  ASSERT_TRUE(b);
  ASSERT_TRUE(auth_.RemoveAccount(Caller(HashOf(*a)), "correct horse", client_));
  EXPECT_FALSE(Authenticate(HashOf(*b)));
  EXPECT_FALSE(auth_.Login({"alice", "correct horse"}, nullptr, client_));
  EXPECT_TRUE(auth_.Signup({"alice", "a new password", ""}, client_)) << "username is free again";
}

TEST_F(AuthServiceTest, SweepExpired_RemovesIdleAndAbsoluteExpiredOnly) {
  auto a = auth_.Signup({"alice", "correct horse", ""}, client_);  // remembered: idle 1800
  ASSERT_TRUE(a);
  auto b = auth_.Login({"alice", "correct horse", false}, nullptr, client_);  // idle 600
  ASSERT_TRUE(b);
  clock_.Advance(Seconds(700));
  auto swept = store_.DeleteExpiredSessions(clock_.Now());
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 1) << "only the short-idle session";
  EXPECT_TRUE(Authenticate(HashOf(*a)));
  EXPECT_FALSE(Authenticate(HashOf(*b)));
}

TEST_F(AuthServiceTest, IdleTimeout_EndsUnusedSessionAndUseExtendsIt) {
  auto a = auth_.Login({"nobody", "x"}, nullptr, client_);
  ASSERT_FALSE(a);
  auto s = auth_.Signup({"alice", "correct horse", "", false}, client_);  // idle 600
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->persistent);
  clock_.Advance(Seconds(500));
  ASSERT_TRUE(Authenticate(HashOf(*s))) << "used at 500 s: last_seen_at moves";
  clock_.Advance(Seconds(500));
  ASSERT_TRUE(Authenticate(HashOf(*s))) << "1000 s after signup, 500 s idle";
  clock_.Advance(Seconds(600));
  EXPECT_FALSE(Authenticate(HashOf(*s))) << "600 s idle";
}

TEST_F(AuthServiceTest, Authenticate_TouchIsThrottled) {
  auto s = auth_.Signup({"alice", "correct horse", ""}, client_);
  ASSERT_TRUE(s);
  UnixTime created = clock_.Now();
  clock_.Advance(Seconds(30));
  auto me = Authenticate(HashOf(*s));
  ASSERT_TRUE(me);
  EXPECT_EQ(me->session().last_seen_at, created) << "within the touch interval: no write";
  clock_.Advance(Seconds(30));
  me = Authenticate(HashOf(*s));
  ASSERT_TRUE(me);
  EXPECT_EQ(me->session().last_seen_at, created + Seconds(60));
}

TEST_F(AuthServiceTest, ResolveInMemory_BatchedTouchStaysInMemory) {
  session::TouchBatcher batcher(db_.sessions(), std::chrono::hours(1));  // flushed by hand
  store_.SetTouchBatcher(&batcher);
  resolver_.SetTouchBatcher(&batcher);
  auto s = auth_.Signup({"alice", "correct horse", "Alice"}, client_);
  ASSERT_TRUE(s);
  ASSERT_TRUE(Authenticate(HashOf(*s)));  // caches it
  clock_.Advance(Seconds(60));            // its use is due to be recorded
  auto hit = resolver_.ResolveInMemory(*HashOf(*s));
  ASSERT_TRUE(hit && hit->live()) << "recorded in memory, answered without the pool";
  EXPECT_EQ(batcher.pending(), 1u);
  auto stored = db_.sessions().FindSessionByTokenHash(*HashOf(*s));
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->session.last_seen_at, clock_.Now() - Seconds(60)) << "not written yet";
  ASSERT_TRUE(batcher.Flush());
  stored = db_.sessions().FindSessionByTokenHash(*HashOf(*s));
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->session.last_seen_at, clock_.Now());
  clock_.Advance(Seconds(1));
  ASSERT_TRUE(resolver_.ResolveInMemory(*HashOf(*s)));
  EXPECT_EQ(batcher.pending(), 0u) << "the cache's copy was touched too: not due again";
  resolver_.SetTouchBatcher(nullptr);
  store_.SetTouchBatcher(nullptr);
}

TEST_F(AuthServiceTest, ResolveInMemory_AnswersOnlyWithoutBlockingWork) {
  auto s = auth_.Signup({"alice", "correct horse", "Alice"}, client_);
  ASSERT_TRUE(s);
  EXPECT_FALSE(resolver_.ResolveInMemory(*HashOf(*s))) << "not cached yet: the pool must ask";
  ASSERT_TRUE(Authenticate(HashOf(*s)));  // caches it
  auto hit = resolver_.ResolveInMemory(*HashOf(*s));
  ASSERT_TRUE(hit && hit->live());
  EXPECT_EQ(hit->principal->user().name, "Alice");

  clock_.Advance(Seconds(60));  // touch_interval: its use must be recorded, which blocks
  EXPECT_FALSE(resolver_.ResolveInMemory(*HashOf(*s)));
  ASSERT_TRUE(Authenticate(HashOf(*s)));  // records it
  EXPECT_TRUE(resolver_.ResolveInMemory(*HashOf(*s)));

  ASSERT_TRUE(auth_.Logout(&Caller(HashOf(*s)), client_));
  EXPECT_FALSE(resolver_.ResolveInMemory(*HashOf(*s))) << "a logout is never served from memory";
  auto read = resolver_.Resolve(*HashOf(*s));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->state, session::Resolution::State::kEnded) << "a signed cookie, no session";
}

TEST_F(AuthServiceTest, RemoveAccount_WrongOrMissingPassword_NamesPasswordField) {
  auto s = auth_.Signup({"alice", "correct horse", ""}, client_);
  ASSERT_TRUE(s);
  for (const char* pw : {"", "wrong horse"}) {
    auto r = auth_.RemoveAccount(Caller(HashOf(*s)), pw, client_);
    ASSERT_FALSE(r) << pw;
    EXPECT_EQ(r.error().code, Errc::kInvalidCredentials);
    EXPECT_EQ(r.error().field, "password");
  }
  EXPECT_TRUE(Authenticate(HashOf(*s))) << "nothing was removed";
}

}  // namespace
}  // namespace latchkey::flows
