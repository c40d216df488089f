// TouchBatcher under several threads at once (run under ThreadSanitizer by
// scripts/sanitize.sh thread): touches recorded from many threads while the batcher's own
// loop and callers of Flush write batches are never lost, the store ends with each session's
// latest use, and a store that fails some batches loses nothing either.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "session/touch_batcher.h"
#include "store/sqlite/sqlite_database.h"
#include "test_support.h"

namespace latchkey::session {
namespace {

using std::chrono::milliseconds;

constexpr int kSessions = 12;
constexpr int kRecorders = 4;
constexpr int kTouchesPerRecorder = 400;

// Forwards to the real store; every other TouchSessions call fails (a flaky database).
class FlakyStore : public SessionStore {
 public:
  explicit FlakyStore(SessionStore& real) : real_(real) {}
  std::atomic<int> calls{0};
  std::atomic<int> failures{0};

  Result<void> TouchSessions(const std::vector<Touch>& touches) override {
    if (calls.fetch_add(1) % 2 == 0) {
      ++failures;
      return MakeError(Errc::kStorageUnavailable, "database down");
    }
    return real_.TouchSessions(touches);
  }
  Result<void> TouchSession(const session::TokenHash& h, UnixTime now) override {
    return real_.TouchSession(h, now);
  }
  Result<void> InsertSession(const SessionRecord& s, const session::TokenHash* replaced) override {
    return real_.InsertSession(s, replaced);
  }
  Result<bool> InsertSessionIfPassword(const SessionRecord& s, const session::TokenHash* replaced,
                                       std::string_view password_hash) override {
    return real_.InsertSessionIfPassword(s, replaced, password_hash);
  }
  Result<std::optional<ResolvedSession>> FindSessionByTokenHash(
      const session::TokenHash& h) override {
    return real_.FindSessionByTokenHash(h);
  }
  Result<bool> DeleteSessionByTokenHash(const session::TokenHash& h) override {
    return real_.DeleteSessionByTokenHash(h);
  }
  Result<long> DeleteExpiredSessions(UnixTime now) override {
    return real_.DeleteExpiredSessions(now);
  }
  Result<std::vector<SessionRecord>> ListSessions(identity::UserId u, UnixTime now) override {
    return real_.ListSessions(u, now);
  }
  Result<bool> DeleteUserSession(identity::UserId u, const session::SessionId& id) override {
    return real_.DeleteUserSession(u, id);
  }
  Result<std::optional<SessionRecord>> FindSessionById(const session::SessionId& id) override {
    return real_.FindSessionById(id);
  }
  Result<long> DeleteOtherSessions(identity::UserId u, const session::TokenHash& keep,
                                   UnixTime now) override {
    return real_.DeleteOtherSessions(u, keep, now);
  }

 private:
  SessionStore& real_;
};

class TouchBatcherConcurrency : public ::testing::Test {
 protected:
  void SetUp() override {
    identity::NewUser user{"alice", "Alice", "$argon2id$x", FromUnixSeconds(1000)};
    auto created = db_.users().CreateUserWithSession(user, Session(Token(0)));
    ASSERT_TRUE(created);
    user_id_ = created->id;
    for (int i = 1; i < kSessions; ++i) {
      ASSERT_TRUE(db_.sessions().InsertSession(Session(Token(i)), nullptr));
    }
  }

  static std::string Token(int i) { return "token-hash-" + std::to_string(i); }

  SessionRecord Session(const std::string& token_hash) {
    SessionRecord s;
    s.id = session::SessionId("id-" + token_hash);
    s.user_id = user_id_;
    s.token_hash = session::TokenHash(token_hash);
    s.created_at = s.last_seen_at = FromUnixSeconds(1000);
    s.expires_at = FromUnixSeconds(1000 + 86400 * 365);
    s.idle_timeout = Seconds(86400 * 365);
    return s;
  }

  UnixTime LastSeen(const std::string& token_hash) {
    auto found = db_.sessions().FindSessionByTokenHash(session::TokenHash(token_hash));
    EXPECT_TRUE(found && *found) << token_hash;
    return found && *found ? (*found)->session.last_seen_at : FromUnixSeconds(-1);
  }

  // kRecorders threads record uses of every session, in an order that differs per thread (so
  // the latest use of a session is recorded by any of them), while another thread flushes.
  // Returns the latest use recorded per session.
  std::vector<UnixTime> Hammer(TouchBatcher& batcher) {
    std::vector<std::atomic<UnixTime>> latest(kSessions);
    std::atomic<bool> recording{true};
    std::latch start(kRecorders + 1);
    std::vector<std::thread> threads;
    for (int t = 0; t < kRecorders; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int i = 0; i < kTouchesPerRecorder; ++i) {
          int s = (i * 5 + t * 7) % kSessions;
          UnixTime at = FromUnixSeconds(2000 + i * kRecorders + t);
          batcher.Record(session::TokenHash(Token(s)), at);
          UnixTime seen = latest[s].load();
          while (seen < at && !latest[s].compare_exchange_weak(seen, at)) {
          }
          if (i % 50 == 0) std::this_thread::yield();
        }
      });
    }
    std::thread flusher([&] {
      start.arrive_and_wait();
      while (recording.load()) {
        (void)batcher.Flush();  // failures keep their touches: checked at the end
        (void)batcher.pending();
        std::this_thread::sleep_for(milliseconds(1));
      }
    });
    for (auto& th : threads) th.join();
    recording = false;
    flusher.join();
    std::vector<UnixTime> out;
    for (auto& l : latest) out.push_back(l.load());
    return out;
  }

  latchkey::testing::TempDir dir_;
  store::sqlite::SqliteDatabase db_{(dir_.path() / "latchkey.db").string(), 2};
  identity::UserId user_id_ = identity::UserId(0);
};

TEST_F(TouchBatcherConcurrency, RecordsFromManyThreadsEndAsEachSessionsLatestUse) {
  std::vector<UnixTime> latest;
  {
    TouchBatcher batcher(db_.sessions(), milliseconds(2));  // its loop flushes too
    latest = Hammer(batcher);
    ASSERT_TRUE(batcher.Flush());
    EXPECT_EQ(batcher.pending(), 0u);
  }
  for (int s = 0; s < kSessions; ++s) {
    ASSERT_GT(latest[s], FromUnixSeconds(2000)) << "every session was used";
    EXPECT_EQ(LastSeen(Token(s)), latest[s]) << Token(s);
  }
}

TEST_F(TouchBatcherConcurrency, FailedBatchesRacingNewRecordsLoseNothing) {
  FlakyStore flaky(db_.sessions());
  std::vector<UnixTime> latest;
  {
    TouchBatcher batcher(flaky, milliseconds(2));
    latest = Hammer(batcher);
    // Whatever failed is still pending, merged with newer uses: one good flush writes it all
    // (The batcher's loop may take the store's good turns meanwhile: a few tries.)
    Result<std::size_t> flushed = batcher.Flush();
    for (int i = 0; i < 10 && !flushed; ++i) flushed = batcher.Flush();
    ASSERT_TRUE(flushed);
    EXPECT_EQ(batcher.pending(), 0u);
  }
  EXPECT_GT(flaky.failures.load(), 0) << "no batch failed: the merge-back path was not exercised";
  for (int s = 0; s < kSessions; ++s) EXPECT_EQ(LastSeen(Token(s)), latest[s]) << Token(s);
}

}  // namespace
}  // namespace latchkey::session
