// throttle::ThrottleStore and audit::EventStore on PostgreSQL only: a throttle row locked by
// another transaction fails within the lock timeout, and text PostgreSQL cannot hold is made
// storable (the contract, on both dialects, is tests/contract).
#include <chrono>

#include "pg_fixture.h"
#include "store/postgres/connection.h"

namespace latchkey::testing {
namespace {

using PgSecurity = PgTest;
using throttle::ThrottleState;

TEST_F(PgSecurity, UpdateThrottle_RowLockedElsewhere_FailsWithinLockTimeout) {
  ASSERT_TRUE(db().throttles().UpdateThrottle("ip:locked", Increment));
  auto other = Connect();
  ASSERT_TRUE(other->ExecScript("BEGIN").ok());
  static constexpr const char* kLock = "SELECT 1 FROM throttles WHERE key = $1 FOR UPDATE";
  ASSERT_TRUE(other->Exec(kLock, {"ip:locked"}).ok());
  auto start = std::chrono::steady_clock::now();
  auto r = db().throttles().UpdateThrottle("ip:locked", Increment);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kStorageUnavailable);
  EXPECT_LT(took, std::chrono::seconds(7));
  other->ExecScript("ROLLBACK");
  // The connection that timed out is usable again.
  EXPECT_TRUE(db().throttles().UpdateThrottle("ip:locked", Increment));
  EXPECT_EQ(db().throttles().GetThrottle("ip:locked").value()->failures, 2);
}

TEST_F(PgSecurity, Events_UserAgentNotUtf8_IsStillRecorded) {
  auto e = MakeEvent(FromUnixSeconds(100), "login_failed", std::nullopt);
  e.user_agent = "bad\xc3";
  ASSERT_TRUE(db().events().RecordEvent(e));
  auto r = Connect()->ExecScript("SELECT user_agent, user_id IS NULL FROM auth_events");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.rows(), 1);
  EXPECT_EQ(r.Text(0, 0), "bad\xEF\xBF\xBD");
  EXPECT_TRUE(r.Bool(0, 1));
}

}  // namespace
}  // namespace latchkey::testing
