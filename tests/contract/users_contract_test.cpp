// identity::UserStore on every dialect: signup and lookups, usernames unique without regard to
// ASCII case (also under concurrency), renames, password changes and resets, disabling, and
// deletion with its cascade; a failed multi-row change writes nothing.
#include <atomic>
#include <thread>
#include <vector>

#include "contract/contract.h"

namespace latchkey::testing {
namespace {

class ContractUsers : public ContractTest {};
LATCHKEY_CONTRACT_SUITE(ContractUsers);

TEST_P(ContractUsers, Signup_ThenLookups_RoundTrip) {
  auto user = MakeUser("Alice");
  auto created = db().users().CreateUserWithSession(user, MakeSession(identity::UserId(0), "a1"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_GT(created->id.value(), 0);
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

  auto resolved = db().sessions().FindSessionByTokenHash(TokenHashOf("a1"));
  ASSERT_TRUE(resolved && *resolved);
  const auto& s = (*resolved)->session;
  EXPECT_EQ(s.id.value(), "sid-a1");
  EXPECT_EQ(s.user_id, created->id);  // first_session.user_id (0) ignored
  EXPECT_EQ(s.created_at, FromUnixSeconds(1'700'000'000));
  EXPECT_EQ(s.expires_at, FromUnixSeconds(1'800'000'000));
  EXPECT_EQ(s.idle_timeout, Seconds(1'209'600));
  EXPECT_TRUE(s.persistent);
  EXPECT_EQ(s.user_agent, "test-agent/1.0");
  EXPECT_EQ(s.ip, "192.0.2.1");
  EXPECT_EQ((*resolved)->user.username, "Alice");
  EXPECT_EQ((*resolved)->user.name, "Name of Alice");
}

TEST_P(ContractUsers, Lookups_Unknown_AreEmptyNotErrors) {
  auto by_name = db().users().FindUserByUsername("nobody");
  ASSERT_TRUE(by_name);
  EXPECT_FALSE(*by_name);
  auto by_id = db().users().FindUserById(identity::UserId(12345));
  ASSERT_TRUE(by_id);
  EXPECT_FALSE(*by_id);
  auto session = db().sessions().FindSessionByTokenHash(TokenHashOf("none"));
  ASSERT_TRUE(session);
  EXPECT_FALSE(*session);
}

TEST_P(ContractUsers, Signup_SameUsernameOtherCase_IsTakenAndWritesNothing) {
  ASSERT_TRUE(
      db().users().CreateUserWithSession(MakeUser("Bob"), MakeSession(identity::UserId(0), "b1")));
  auto again =
      db().users().CreateUserWithSession(MakeUser("BOB"), MakeSession(identity::UserId(0), "b2"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kUsernameTaken);
  EXPECT_EQ(again.error().field, "username");
  // The failed signup's session was rolled back with it.
  auto orphan = db().sessions().FindSessionByTokenHash(TokenHashOf("b2"));
  ASSERT_TRUE(orphan);
  EXPECT_FALSE(*orphan);
}

TEST_P(ContractUsers, Signup_TwentyThreadsOneUsername_ExactlyOneWins) {
  db_ = Open(8);
  constexpr int kThreads = 20;
  std::atomic<int> ok{0}, taken{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      std::string username = i % 2 ? "carol" : "CaRoL";
      auto r = db().users().CreateUserWithSession(
          MakeUser(username), MakeSession(identity::UserId(0), "c" + std::to_string(i)));
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

TEST_P(ContractUsers, InsertSession_UserDeleted_IsUnauthenticated) {
  auto created =
      db().users().CreateUserWithSession(MakeUser("dave"), MakeSession(identity::UserId(0), "d1"));
  ASSERT_TRUE(created);
  auto deleted = db().users().DeleteUser(created->id);
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(*deleted);
  auto r = db().sessions().InsertSession(MakeSession(created->id, "d2"), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnauthenticated);
}

TEST_P(ContractUsers, DeleteUser_CascadesSessions_SecondDeleteIsFalse) {
  auto created =
      db().users().CreateUserWithSession(MakeUser("erin"), MakeSession(identity::UserId(0), "e1"));
  ASSERT_TRUE(created);
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(created->id, "e2"), nullptr));
  ASSERT_TRUE(db().users().DeleteUser(created->id).value());
  for (const char* tag : {"e1", "e2"}) {
    auto s = db().sessions().FindSessionByTokenHash(TokenHashOf(tag));
    ASSERT_TRUE(s);
    EXPECT_FALSE(*s) << tag;
  }
  auto again = db().users().DeleteUser(created->id);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST_P(ContractUsers, UpdateName_ReturnsUpdatedUser_UnknownIsUnauthenticated) {
  auto created =
      db().users().CreateUserWithSession(MakeUser("frank"), MakeSession(identity::UserId(0), "f1"));
  ASSERT_TRUE(created);
  auto updated = db().users().UpdateName(created->id, "Frank Ünicode");
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->id, created->id);
  EXPECT_EQ(updated->username, "frank");
  EXPECT_EQ(updated->name, "Frank Ünicode");
  EXPECT_EQ(db().users().FindUserById(created->id).value()->user.name, "Frank Ünicode");
  auto unknown = db().users().UpdateName(identity::UserId(created->id.value() + 1000), "x");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::kUnauthenticated);
}

TEST_P(ContractUsers, ReplacePassword_DeletesEverySessionAndInsertsReplacement) {
  auto created =
      db().users().CreateUserWithSession(MakeUser("grace"), MakeSession(identity::UserId(0), "g1"));
  ASSERT_TRUE(created);
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(created->id, "g2"), nullptr));
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(created->id, "g3"), nullptr));
  auto r = db().users().ReplacePassword(
      created->id, "$new$hash", MakeSession(created->id, "g4", FromUnixSeconds(1'700'000'100)));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(db().users().FindUserById(created->id).value()->password_hash, "$new$hash");
  auto live = db().sessions().ListSessions(created->id, FromUnixSeconds(1'700'000'200));
  ASSERT_TRUE(live);
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].token_hash, TokenHashOf("g4"));
}

TEST_P(ContractUsers, ReplacePassword_ReplacementClashes_RollsBackEverything) {
  auto a =
      db().users().CreateUserWithSession(MakeUser("heidi"), MakeSession(identity::UserId(0), "h1"));
  auto b =
      db().users().CreateUserWithSession(MakeUser("ivan"), MakeSession(identity::UserId(0), "i1"));
  ASSERT_TRUE(a && b);
  // The replacement reuses ivan's token hash: the insert fails, and with it the password
  // change and the deletion of heidi's sessions.
  auto r = db().users().ReplacePassword(a->id, "$new$hash", MakeSession(a->id, "i1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kStorageUnavailable);
  EXPECT_NE(db().users().FindUserById(a->id).value()->password_hash, "$new$hash");
  EXPECT_TRUE(db().sessions().FindSessionByTokenHash(TokenHashOf("h1")).value());
}

TEST_P(ContractUsers, ReplacePassword_UnknownUser_IsUnauthenticated) {
  auto r = db().users().ReplacePassword(identity::UserId(999), "$h",
                                        MakeSession(identity::UserId(999), "x1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnauthenticated);
}

TEST_P(ContractUsers, SetDisabled_DeletesSessions_HidesLaterOnes_EnableDeletesThem) {
  auto u =
      db().users().CreateUserWithSession(MakeUser("dora"), MakeSession(identity::UserId(0), "d1"));
  ASSERT_TRUE(u);
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(u->id, "d2"), nullptr));
  ASSERT_TRUE(db().users().SetDisabled(u->id, FromUnixSeconds(1'700'000'500)).value());
  auto rec = db().users().FindUserById(u->id).value();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->disabled_at, FromUnixSeconds(1'700'000'500));
  EXPECT_FALSE(db().sessions().FindSessionById(session::SessionId("sid-d1")).value());
  EXPECT_FALSE(db().sessions().FindSessionById(session::SessionId("sid-d2")).value());
  // A login racing the disable inserts its session afterwards: never resolved.
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(u->id, "d3"), nullptr));
  EXPECT_FALSE(db().sessions().FindSessionByTokenHash(TokenHashOf("d3")).value());
  ASSERT_TRUE(db().users().SetDisabled(u->id, FromUnixSeconds(0)).value());
  EXPECT_EQ(db().users().FindUserByUsername("DORA").value()->disabled_at, FromUnixSeconds(0));
  // Enabling must not bring the racing login's session back to life: it is deleted.
  EXPECT_FALSE(db().sessions().FindSessionByTokenHash(TokenHashOf("d3")).value());
  EXPECT_FALSE(db().sessions().FindSessionById(session::SessionId("sid-d3")).value());
  EXPECT_FALSE(db().users().SetDisabled(identity::UserId(987654), FromUnixSeconds(1)).value())
      << "unknown user";
}

TEST_P(ContractUsers, ResetPassword_SetsHashAndDeletesEverySession) {
  auto u =
      db().users().CreateUserWithSession(MakeUser("rita"), MakeSession(identity::UserId(0), "r1"));
  ASSERT_TRUE(u);
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(u->id, "r2"), nullptr));
  ASSERT_TRUE(db().users().ResetPassword(u->id, "$argon2id$new").value());
  EXPECT_EQ(db().users().FindUserById(u->id).value()->password_hash, "$argon2id$new");
  EXPECT_FALSE(db().sessions().FindSessionByTokenHash(TokenHashOf("r1")).value());
  EXPECT_FALSE(db().sessions().FindSessionByTokenHash(TokenHashOf("r2")).value());
  EXPECT_FALSE(db().users().ResetPassword(identity::UserId(987654), "$argon2id$x").value());
}

TEST_P(ContractUsers, RehashPassword_OnlyOverTheExpectedHash_KeepsSessions) {
  auto u =
      db().users().CreateUserWithSession(MakeUser("hugo"), MakeSession(identity::UserId(0), "h1"));
  ASSERT_TRUE(u);
  std::string before = db().users().FindUserById(u->id).value()->password_hash;
  ASSERT_TRUE(db().users().RehashPassword(u->id, before, "$argon2id$prepared").value());
  EXPECT_EQ(db().users().FindUserById(u->id).value()->password_hash, "$argon2id$prepared");
  EXPECT_TRUE(db().sessions().FindSessionByTokenHash(TokenHashOf("h1")).value())
      << "a rehash is the same password: sessions stay";
  // A change that committed in between wins: the stale rehash writes nothing.
  ASSERT_TRUE(db().users().ResetPassword(u->id, "$argon2id$changed").value());
  EXPECT_FALSE(db().users().RehashPassword(u->id, "$argon2id$prepared", "$argon2id$stale").value());
  EXPECT_EQ(db().users().FindUserById(u->id).value()->password_hash, "$argon2id$changed");
  EXPECT_FALSE(
      db().users().RehashPassword(identity::UserId(987654), "$argon2id$x", "$argon2id$y").value())
      << "unknown user";
}

TEST_P(ContractUsers, CreateUser_NoSession_TakenAnyCase) {
  auto u = db().users().CreateUser(MakeUser("Cara"));
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_GT(u->id.value(), 0);
  EXPECT_TRUE(db().sessions().ListSessions(u->id, FromUnixSeconds(1'700'000'000)).value().empty());
  auto again = db().users().CreateUser(MakeUser("cara"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kUsernameTaken);
}

}  // namespace
}  // namespace latchkey::testing
