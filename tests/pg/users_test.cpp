// identity::UserStore on PostgreSQL: the outcomes store/sqlite gives, under concurrency too.
#include <atomic>
#include <thread>
#include <vector>

#include "pg_fixture.h"

namespace latchkey::testing {
namespace {

using PgUsers = PgTest;

TEST_F(PgUsers, Signup_ThenLookups_RoundTrip) {
  auto user = MakeUser("Alice");
  auto created = db().users().CreateUserWithSession(user, MakeSession(0, "a1"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->username, "Alice");
  EXPECT_EQ(created->name, "Name of Alice");

  auto by_name = db().users().FindUserByUsername("alice");
  ASSERT_TRUE(by_name && *by_name);
  EXPECT_EQ((*by_name)->user.id, created->id);
  EXPECT_EQ((*by_name)->user.username, "Alice");
  EXPECT_EQ((*by_name)->password_hash, user.password_hash);
  EXPECT_EQ((*by_name)->created_at, user.created_at);

  auto by_id = db().users().FindUserById(created->id);
  ASSERT_TRUE(by_id && *by_id);
  EXPECT_EQ((*by_id)->user.username, "Alice");

  auto resolved = db().sessions().FindSessionByTokenHash(TokenHash("a1"));
  ASSERT_TRUE(resolved && *resolved);
  const auto& s = (*resolved)->session;
  EXPECT_EQ(s.id, "sid-a1");
  EXPECT_EQ(s.user_id, created->id);  // first_session.user_id (0) ignored
  EXPECT_EQ(s.created_at, 1'700'000'000);
  EXPECT_EQ(s.expires_at, 1'800'000'000);
  EXPECT_EQ(s.idle_timeout, 1'209'600);
  EXPECT_TRUE(s.persistent);
  EXPECT_EQ(s.user_agent, "test-agent/1.0");
  EXPECT_EQ(s.ip, "192.0.2.1");
  EXPECT_EQ((*resolved)->user.username, "Alice");
  EXPECT_EQ((*resolved)->user.name, "Name of Alice");
}

TEST_F(PgUsers, Lookups_Unknown_AreEmptyNotErrors) {
  auto by_name = db().users().FindUserByUsername("nobody");
  ASSERT_TRUE(by_name);
  EXPECT_FALSE(*by_name);
  auto by_id = db().users().FindUserById(12345);
  ASSERT_TRUE(by_id);
  EXPECT_FALSE(*by_id);
  auto session = db().sessions().FindSessionByTokenHash(TokenHash("none"));
  ASSERT_TRUE(session);
  EXPECT_FALSE(*session);
}

TEST_F(PgUsers, Signup_SameUsernameOtherCase_IsTakenAndWritesNothing) {
  ASSERT_TRUE(db().users().CreateUserWithSession(MakeUser("Bob"), MakeSession(0, "b1")));
  auto again = db().users().CreateUserWithSession(MakeUser("BOB"), MakeSession(0, "b2"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kUsernameTaken);
  EXPECT_EQ(again.error().field, "username");
  EXPECT_EQ(again.error().message, "This username is already taken");
  // The failed signup's session was rolled back with it.
  auto orphan = db().sessions().FindSessionByTokenHash(TokenHash("b2"));
  ASSERT_TRUE(orphan);
  EXPECT_FALSE(*orphan);
}

TEST_F(PgUsers, Signup_TwentyThreadsOneUsername_ExactlyOneWins) {
  db_ = Open(8);
  constexpr int kThreads = 20;
  std::atomic<int> ok{0}, taken{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      std::string username = i % 2 ? "carol" : "CaRoL";
      auto r = db().users().CreateUserWithSession(MakeUser(username),
                                                  MakeSession(0, "c" + std::to_string(i)));
      if (r) {
        ++ok;
      } else if (r.error().code == Errc::kUsernameTaken && r.error().field == "username") {
        ++taken;
      } else {
        ++other;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(taken, kThreads - 1);
  EXPECT_EQ(other, 0);
}

TEST_F(PgUsers, InsertSession_UserDeleted_IsUnauthenticated) {
  auto created = db().users().CreateUserWithSession(MakeUser("dave"), MakeSession(0, "d1"));
  ASSERT_TRUE(created);
  auto deleted = db().users().DeleteUser(created->id);
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(*deleted);
  auto r = db().sessions().InsertSession(MakeSession(created->id, "d2"), std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnauthenticated);
  EXPECT_EQ(r.error().message, "Not logged in");
}

TEST_F(PgUsers, DeleteUser_CascadesSessions_SecondDeleteIsFalse) {
  auto created = db().users().CreateUserWithSession(MakeUser("erin"), MakeSession(0, "e1"));
  ASSERT_TRUE(created);
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(created->id, "e2"), std::nullopt));
  ASSERT_TRUE(db().users().DeleteUser(created->id).value());
  for (const char* tag : {"e1", "e2"}) {
    auto s = db().sessions().FindSessionByTokenHash(TokenHash(tag));
    ASSERT_TRUE(s);
    EXPECT_FALSE(*s) << tag;
  }
  auto again = db().users().DeleteUser(created->id);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST_F(PgUsers, UpdateName_ReturnsUpdatedUser_UnknownIsUnauthenticated) {
  auto created = db().users().CreateUserWithSession(MakeUser("frank"), MakeSession(0, "f1"));
  ASSERT_TRUE(created);
  auto updated = db().users().UpdateName(created->id, "Frank Ünicode");
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->id, created->id);
  EXPECT_EQ(updated->username, "frank");
  EXPECT_EQ(updated->name, "Frank Ünicode");
  EXPECT_EQ(db().users().FindUserById(created->id).value()->user.name, "Frank Ünicode");
  auto unknown = db().users().UpdateName(created->id + 1000, "x");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::kUnauthenticated);
}

TEST_F(PgUsers, ReplacePassword_DeletesEverySessionAndInsertsReplacement) {
  auto created = db().users().CreateUserWithSession(MakeUser("grace"), MakeSession(0, "g1"));
  ASSERT_TRUE(created);
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(created->id, "g2"), std::nullopt));
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(created->id, "g3"), std::nullopt));
  auto r = db().users().ReplacePassword(created->id, "$new$hash",
                                        MakeSession(created->id, "g4", 1'700'000'100));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(db().users().FindUserById(created->id).value()->password_hash, "$new$hash");
  auto live = db().sessions().ListSessions(created->id, 1'700'000'200);
  ASSERT_TRUE(live);
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].token_hash, TokenHash("g4"));
}

TEST_F(PgUsers, ReplacePassword_ReplacementClashes_RollsBackEverything) {
  auto a = db().users().CreateUserWithSession(MakeUser("heidi"), MakeSession(0, "h1"));
  auto b = db().users().CreateUserWithSession(MakeUser("ivan"), MakeSession(0, "i1"));
  ASSERT_TRUE(a && b);
  // The replacement reuses ivan's token hash: the insert fails, and with it the password
  // change and the deletion of heidi's sessions.
  auto r = db().users().ReplacePassword(a->id, "$new$hash", MakeSession(a->id, "i1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kStorageUnavailable);
  EXPECT_NE(db().users().FindUserById(a->id).value()->password_hash, "$new$hash");
  EXPECT_TRUE(db().sessions().FindSessionByTokenHash(TokenHash("h1")).value());
}

TEST_F(PgUsers, ReplacePassword_UnknownUser_IsUnauthenticated) {
  auto r = db().users().ReplacePassword(999, "$h", MakeSession(999, "x1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnauthenticated);
}

}  // namespace
}  // namespace latchkey::testing
