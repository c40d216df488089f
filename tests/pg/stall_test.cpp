// The whole server stalls (SIGSTOP of a cluster of this test's own: the kernel still accepts and
// acknowledges, so keepalives and the server's statement_timeout cannot help): calls fail with
// kStorageUnavailable within 8 s on the client-side deadlines, the feed reports the loss, and
// after SIGCONT everything recovers by itself.
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "pg_fixture.h"

namespace latchkey::testing {
namespace {

using namespace std::chrono_literals;
using store::postgres::PostgresDatabase;

// Stalls `cluster` for its lifetime: resumed whatever way the scope ends.
class StallScope {
 public:
  explicit StallScope(const PrivateCluster& cluster) : cluster_(cluster) { cluster_.Stall(); }
  StallScope(const StallScope&) = delete;
  StallScope& operator=(const StallScope&) = delete;
  ~StallScope() { cluster_.Resume(); }

 private:
  const PrivateCluster& cluster_;
};

template <typename Call>
void ExpectUnavailableWithin(const char* what, Call call, std::chrono::milliseconds limit) {
  auto start = std::chrono::steady_clock::now();
  auto result = call();
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result) << what << " succeeded against a stalled server";
  EXPECT_EQ(result.error().code, Errc::kStorageUnavailable) << what;
  EXPECT_LT(took, limit) << what;
}

TEST(PgStall, ServerStopped_UnavailableWithinDeadlineThenRecovers) {
  PrivateCluster cluster;
  RecordingSink sink;
  auto db = std::make_unique<PostgresDatabase>(cluster.url(), 2);
  ASSERT_TRUE(db->WatchSessionChanges(sink));
  ASSERT_TRUE(sink.WaitUntil([](const RecordingSink& s) { return s.ups == 1; }, 3s));
  auto created =
      db->users().CreateUserWithSession(MakeUser("sal"), MakeSession(identity::UserId(0), "s1"));
  ASSERT_TRUE(created) << created.error().message;
  ASSERT_TRUE(db->Ping());

  {
    StallScope stall(cluster);
    // Pooled connections that were idle (the call's deadline), then empty slots (connecting).
    for (int i = 0; i < 2; ++i) {
      ExpectUnavailableWithin(
          "Ping", [&] { return db->Ping(); }, 8s);
      ExpectUnavailableWithin(
          "FindUserById", [&] { return db->users().FindUserById(created->id); }, 8s);
    }
    // More callers than connections: waiting for a slot and connecting do not add up.
    std::atomic<int> unavailable{0};
    std::atomic<long> slowest_ms{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&] {
        auto start = std::chrono::steady_clock::now();
        auto r = db->users().FindUserById(created->id);
        long ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
        if (!r && r.error().code == Errc::kStorageUnavailable) ++unavailable;
        long seen = slowest_ms.load();
        while (ms > seen && !slowest_ms.compare_exchange_weak(seen, ms)) {
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(unavailable, 4);
    EXPECT_LT(slowest_ms.load(), 8000);
    // The feed's heartbeat notices the stall although its connection stays up.
    EXPECT_TRUE(sink.WaitUntil([](const RecordingSink& s) { return s.downs >= 1; }, 8s));
  }

  EXPECT_TRUE(Eventually([&] { return bool(db->Ping()); }, 10s));
  auto found = db->users().FindUserById(created->id);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_TRUE(*found);
  EXPECT_TRUE(sink.WaitUntil([](const RecordingSink& s) { return s.ups >= 2; }, 10s));
  db.reset();  // stops the feed before `sink` goes
}

TEST(PgStall, StalledFeed_StopsPromptly) {
  PrivateCluster cluster;
  RecordingSink sink;
  auto db = std::make_unique<PostgresDatabase>(cluster.url(), 1);
  ASSERT_TRUE(db->WatchSessionChanges(sink));
  ASSERT_TRUE(sink.WaitUntil([](const RecordingSink& s) { return s.ups == 1; }, 3s));
  StallScope stall(cluster);
  std::this_thread::sleep_for(2500ms);  // the feed is inside a heartbeat or reconnecting
  auto start = std::chrono::steady_clock::now();
  db.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

}  // namespace
}  // namespace latchkey::testing
