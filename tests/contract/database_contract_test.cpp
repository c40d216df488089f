// store::Database as a whole on every dialect: its name, readiness, export and import, the
// live sessions count and the pool's usage. (Change feeds: feed_contract_test.cpp.)
#include <vector>

#include "contract/contract.h"

namespace latchkey::testing {
namespace {

constexpr UnixTime kT0 = FromUnixSeconds(1'700'000'000);

class ContractDatabase : public ContractTest {};
LATCHKEY_CONTRACT_SUITE(ContractDatabase);

TEST_P(ContractDatabase, Dialect_IsItsName) { EXPECT_EQ(db().dialect(), GetParam().name); }

TEST_P(ContractDatabase, Ping_Succeeds) { EXPECT_TRUE(db().Ping()); }

TEST_P(ContractDatabase, FeedNodes_NoServerWatching_NoneListedAndMarksAscend) {
  auto rows = db().ListFeedNodes();
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_TRUE(rows->empty());
  auto first = db().MarkChangeFeed();
  ASSERT_TRUE(first) << first.error().message;
  NewUser("marked");
  ASSERT_TRUE(db().users().DeleteUser(db().users().FindUserByUsername("marked").value()->user.id));
  auto second = db().MarkChangeFeed();
  ASSERT_TRUE(second);
  EXPECT_GT(*second, *first) << "a change lies between them";
}

TEST_P(ContractDatabase, ForEachUser_IdOrderAcrossPages) {
  // More than one export page (1000), inserted by a single statement for speed (a recursive
  // CTE: both dialects have it; PostgreSQL's generate_series is not SQLite's).
  backend().Exec(
      "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2345)"
      " INSERT INTO users (username, name, password_hash, created_at)"
      " SELECT 'user' || n, 'Name ' || n, 'hash' || n, n FROM g");
  backend().Exec("DELETE FROM users WHERE username = 'user1000'");
  std::vector<identity::UserRecord> seen;
  auto r = db().ForEachUser([&](const identity::UserRecord& u) { seen.push_back(u); });
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(seen.size(), 2344u);
  for (std::size_t i = 1; i < seen.size(); ++i) {
    ASSERT_LT(seen[i - 1].user.id, seen[i].user.id);
  }
  EXPECT_EQ(seen.front().user.username, "user1");
  EXPECT_EQ(seen.front().user.name, "Name 1");
  EXPECT_EQ(seen.front().password_hash, "hash1");
  EXPECT_EQ(seen.front().created_at, FromUnixSeconds(1));
  EXPECT_EQ(seen.back().user.username, "user2345");
}

TEST_P(ContractDatabase, ForEachUser_Empty_CallsNothing) {
  int calls = 0;
  ASSERT_TRUE(db().ForEachUser([&](const identity::UserRecord&) { ++calls; }));
  EXPECT_EQ(calls, 0);
}

TEST_P(ContractDatabase, ImportUser_KeepsFieldsNewId_TakenIsFalse) {
  auto existing =
      db().users().CreateUserWithSession(MakeUser("judy"), MakeSession(identity::UserId(0), "j1"));
  ASSERT_TRUE(existing);
  identity::UserRecord rec;
  rec.user = {identity::UserId(424242), "Mallory", "Mallory M."};
  rec.password_hash = "$argon2id$imported";
  rec.created_at = FromUnixSeconds(1'600'000'000);
  auto imported = db().ImportUser(rec);
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_TRUE(*imported);
  auto found = db().users().FindUserByUsername("mallory").value();
  ASSERT_TRUE(found);
  EXPECT_NE(found->user.id, identity::UserId(424242));
  EXPECT_EQ(found->user.username, "Mallory");
  EXPECT_EQ(found->user.name, "Mallory M.");
  EXPECT_EQ(found->password_hash, "$argon2id$imported");
  EXPECT_EQ(found->created_at, FromUnixSeconds(1'600'000'000));

  rec.user.username = "JUDY";
  auto taken = db().ImportUser(rec);
  ASSERT_TRUE(taken);
  EXPECT_FALSE(*taken);
  EXPECT_EQ(db().users().FindUserByUsername("judy").value()->user.id, existing->id);
}

TEST_P(ContractDatabase, CountLiveSessions_CountsEveryUsersLiveOnes) {
  EXPECT_EQ(db().CountLiveSessions(kT0).value(), 0);
  auto a = NewUser("counted");  // counted-0: live
  auto b = NewUser("also");     // also-0: live
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(a, "a-1", kT0 + Seconds(1)), nullptr));
  ASSERT_TRUE(
      db().sessions().InsertSession(MakeSession(b, "abs", kT0, kT0 + Seconds(10)), nullptr));
  ASSERT_TRUE(db().sessions().InsertSession(
      MakeSession(b, "idle", kT0, kT0 + Seconds(100'000), Seconds(10)), nullptr));
  EXPECT_EQ(db().CountLiveSessions(kT0 + Seconds(9)).value(), 5);
  // Ended at now exactly: the absolute expiry and the idle timeout are both exclusive.
  EXPECT_EQ(db().CountLiveSessions(kT0 + Seconds(10)).value(), 3);
}

TEST_P(ContractDatabase, PoolUsage_SizeAsOpened_NothingLeasedWhenIdle) {
  auto small = Open(3);
  ASSERT_TRUE(small->Ping());
  store::PoolUsage usage = small->pool_usage();
  EXPECT_EQ(usage.size, 3u);
  EXPECT_EQ(usage.in_use, 0u);
  EXPECT_EQ(usage.waiting, 0u);
}

}  // namespace
}  // namespace latchkey::testing
