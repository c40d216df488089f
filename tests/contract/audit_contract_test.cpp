// audit::EventStore on every dialect: events listed per user, newest first, limited; the
// sweep before a cutoff.
#include "contract/contract.h"

namespace latchkey::testing {
namespace {

class ContractAudit : public ContractTest {};
LATCHKEY_CONTRACT_SUITE(ContractAudit);

TEST_P(ContractAudit, Events_ListNewestFirstLimitedAndPerUser) {
  ASSERT_TRUE(db().events().RecordEvent(MakeEvent(100, "login", identity::UserId(7))));
  ASSERT_TRUE(db().events().RecordEvent(MakeEvent(100, "logout", identity::UserId(7))));
  ASSERT_TRUE(db().events().RecordEvent(MakeEvent(101, "login", identity::UserId(8))));
  ASSERT_TRUE(db().events().RecordEvent(MakeEvent(102, "login_failed", std::nullopt)));
  ASSERT_TRUE(db().events().RecordEvent(MakeEvent(103, "password_changed", identity::UserId(7))));
  auto all = db().events().ListUserEvents(identity::UserId(7), 10);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].type, "password_changed");
  EXPECT_EQ((*all)[1].type, "logout");
  EXPECT_EQ((*all)[2].type, "login");
  EXPECT_GT((*all)[0].id, (*all)[1].id);
  EXPECT_EQ((*all)[0].user_id, identity::UserId(7));
  EXPECT_EQ((*all)[0].ip, "198.51.100.7");
  EXPECT_EQ((*all)[0].username, "someone");
  EXPECT_EQ((*all)[0].user_agent, "agent");
  EXPECT_EQ((*all)[0].at, 103);
  auto two = db().events().ListUserEvents(identity::UserId(7), 2);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->size(), 2u);
  EXPECT_EQ(db().events().ListUserEvents(identity::UserId(9), 10).value().size(), 0u);
}

TEST_P(ContractAudit, Events_DeleteBeforeCutoff_KeepsTheRest) {
  ASSERT_TRUE(db().events().RecordEvent(MakeEvent(100, "login", identity::UserId(1))));
  ASSERT_TRUE(db().events().RecordEvent(MakeEvent(199, "login", identity::UserId(1))));
  ASSERT_TRUE(db().events().RecordEvent(MakeEvent(200, "logout", identity::UserId(1))));
  auto deleted = db().events().DeleteEventsBefore(200);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, 2);
  auto rest = db().events().ListUserEvents(identity::UserId(1), 10).value();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].type, "logout");
}

TEST_P(ContractAudit, Events_NegativeLimit_ListsAll) {
  for (UnixSeconds at = 100; at < 105; ++at) {
    ASSERT_TRUE(db().events().RecordEvent(MakeEvent(at, "login", identity::UserId(3))));
  }
  auto all = db().events().ListUserEvents(identity::UserId(3), -1);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->size(), 5u);
}

}  // namespace
}  // namespace latchkey::testing
