// The whole server crashes (a cluster of this test's own: the shared one stays up for the
// other tests) and comes back: calls fail fast meanwhile, the feed reports the loss, and
// both recover by themselves, with committed data intact.
#include <chrono>

#include "pg_fixture.h"

namespace latchkey::testing {
namespace {

using namespace std::chrono_literals;
using store::postgres::PostgresDatabase;

TEST(PgCrash, ServerKilledAndResumed_UnavailableThenRecovers) {
  PrivateCluster cluster;
  RecordingSink sink;
  auto db = std::make_unique<PostgresDatabase>(cluster.url(), 2);
  ASSERT_TRUE(db->WatchSessionChanges(sink));
  ASSERT_TRUE(sink.WaitUntil([](const RecordingSink& s) { return s.ups == 1; }, 3s));
  auto created =
      db->users().CreateUserWithSession(MakeUser("kim"), MakeSession(identity::UserId(0), "k1"));
  ASSERT_TRUE(created);

  cluster.Run("kill");
  EXPECT_TRUE(sink.WaitUntil([](const RecordingSink& s) { return s.downs == 1; }, 1s));
  for (int i = 0; i < 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto ping = db->Ping();
    ASSERT_FALSE(ping);
    EXPECT_EQ(ping.error().code, Errc::kStorageUnavailable);
    auto lookup = db->sessions().FindSessionByTokenHash(TokenHashOf("k1"));
    ASSERT_FALSE(lookup);
    EXPECT_EQ(lookup.error().code, Errc::kStorageUnavailable);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 6s);
  }

  cluster.Run("resume");
  EXPECT_TRUE(Eventually([&] { return bool(db->Ping()); }, 5s));
  auto found = db->sessions().FindSessionByTokenHash(TokenHashOf("k1"));
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_TRUE(*found);
  EXPECT_TRUE(sink.WaitUntil([](const RecordingSink& s) { return s.ups == 2; }, 3s));
  db.reset();  // stops the feed before `sink` goes
}

}  // namespace
}  // namespace latchkey::testing
