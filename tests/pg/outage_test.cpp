// Losing the database after startup: calls fail fast with kStorageUnavailable (never hang),
// and the pool recovers by itself once the database is back.
#include <chrono>
#include <thread>

#include "pg_fixture.h"
#include "store/postgres/pool.h"

namespace latchkey::testing {
namespace {

using namespace std::chrono_literals;
using store::postgres::Pool;

using PgOutage = PgTest;

TEST_F(PgOutage, BackendsTerminated_NextCallsReconnect) {
  auto created =
      db().users().CreateUserWithSession(MakeUser("olive"), MakeSession(identity::UserId(0), "o1"));
  ASSERT_TRUE(created);
  ASSERT_TRUE(db().Ping());
  TerminateConnections();
  // The pool notices the closed connection on Acquire and opens a new one.
  auto ping = db().Ping();
  EXPECT_TRUE(ping) << ping.error().message;
  auto found = db().users().FindUserById(created->id);
  ASSERT_TRUE(found);
  EXPECT_TRUE(*found);
}

TEST_F(PgOutage, DatabaseRefusesConnections_FailsFastThenRecovers) {
  ASSERT_TRUE(db().Ping());
  AllowConnections(false);
  TerminateConnections();
  for (int i = 0; i < 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto ping = db().Ping();
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(ping);
    EXPECT_EQ(ping.error().code, Errc::kStorageUnavailable);
    EXPECT_EQ(MessageOf(ping.error()), "The service is temporarily unavailable");
    EXPECT_LT(took, 6s);
    auto lookup = db().users().FindUserByUsername("anyone");
    ASSERT_FALSE(lookup);
    EXPECT_EQ(lookup.error().code, Errc::kStorageUnavailable);
  }
  AllowConnections(true);
  auto ping = db().Ping();
  EXPECT_TRUE(ping) << ping.error().message;
  EXPECT_TRUE(db().users().CreateUserWithSession(MakeUser("back"),
                                                 MakeSession(identity::UserId(0), "back")));
}

TEST_F(PgOutage, ManyThreadsDuringOutage_AllAnswerWithinTimeout) {
  db_ = Open(2);
  AllowConnections(false);
  TerminateConnections();
  std::atomic<int> unavailable{0}, other{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = db().sessions().FindSessionByTokenHash(TokenHashOf("x"));
      if (!r && r.error().code == Errc::kStorageUnavailable) {
        ++unavailable;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 6s);
  EXPECT_EQ(unavailable, 8);
  EXPECT_EQ(other, 0);
  AllowConnections(true);
  EXPECT_TRUE(db().Ping());
}

TEST_F(PgOutage, Pool_AllLeased_AcquireTimesOutAsUnavailable) {
  Pool pool(url(), 1);
  auto first = pool.Acquire();
  ASSERT_TRUE(first) << first.error().message;
  auto start = std::chrono::steady_clock::now();
  auto second = pool.Acquire(200ms);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::kStorageUnavailable);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(PgOutage, Pool_ReleasedConnection_IsReusedWithItsStatements) {
  Pool pool(url(), 1);
  int pid = 0;
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(lease);
    pid = PQbackendPID((*lease)->raw());
  }
  auto again = pool.Acquire();
  ASSERT_TRUE(again);
  EXPECT_EQ(PQbackendPID((*again)->raw()), pid);
}

TEST_F(PgOutage, Pool_ConnectionLeftInTransaction_IsNotReused) {
  Pool pool(url(), 1);
  int pid = 0;
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(lease);
    pid = PQbackendPID((*lease)->raw());
    ASSERT_TRUE((*lease)->ExecScript("BEGIN").ok());
  }
  auto again = pool.Acquire();
  ASSERT_TRUE(again);
  EXPECT_NE(PQbackendPID((*again)->raw()), pid);
  EXPECT_EQ(PQtransactionStatus((*again)->raw()), PQTRANS_IDLE);
}

}  // namespace
}  // namespace latchkey::testing
