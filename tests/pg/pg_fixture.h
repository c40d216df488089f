// Shared fixture of the PostgreSQL store tests: a fresh database per test on the cluster
// whose admin URL is in the file named by LATCHKEY_TEST_PG_URL_FILE (written by
// scripts/pg-cluster.sh start; the CTest fixture `pg` starts and stops that cluster).
// A missing URL fails the test: these tests exist to run, a silent skip would hide a broken
// setup. Each database is dropped (WITH (FORCE)) after its test.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "session/session.h"
#include "store/database.h"
#include "store/postgres/connection.h"
#include "store/postgres/postgres_database.h"

namespace latchkey::testing {

class PgTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Override to return false for tests that open the database themselves.
  virtual bool OpenOnSetUp() const { return true; }

  // The database opened by SetUp.
  store::postgres::PostgresDatabase& db() { return *db_; }
  // Another PostgresDatabase on the test database (as a second node would open it).
  std::unique_ptr<store::postgres::PostgresDatabase> Open(std::size_t pool_size = 4) const;
  // A raw connection to the test database (schema checks, injected rows).
  std::unique_ptr<store::postgres::Connection> Connect() const;
  // A raw connection to the cluster's admin database.
  std::unique_ptr<store::postgres::Connection> ConnectAdmin() const;

  // Terminates every connection to the test database, and waits until they are gone.
  void TerminateConnections() const;
  // Lets new connections into the test database, or refuses them (an outage of this test's
  // database only: the cluster stays up for the other tests).
  void AllowConnections(bool allow) const;
  // Connections to the test database other than the admin one, per pg_stat_activity.
  long CountConnections() const;

  const std::string& url() const { return url_; }

  std::unique_ptr<store::postgres::PostgresDatabase> db_;

 private:
  std::string admin_url_;
  std::string dbname_;
  std::string url_;
};

// A throwaway cluster of a test's own (scripts/pg-cluster.sh start into a fresh temporary
// directory), for tests that crash or stall the whole server while the shared one stays up for
// the others. The destructor resumes (SIGCONT) and stops it. A watchdog process does the same
// if this process dies first (a crash, or CTest's timeout killing it), so no stopped or
// running cluster is ever left behind. Throws std::runtime_error when it cannot start.
class PrivateCluster {
 public:
  PrivateCluster();
  PrivateCluster(const PrivateCluster&) = delete;
  PrivateCluster& operator=(const PrivateCluster&) = delete;
  ~PrivateCluster();

  // scripts/pg-cluster.sh `command` DIR (kill, resume...). Throws on failure.
  void Run(const std::string& command) const;
  // SIGSTOPs the postmaster and then every child of it: the server stalls, its kernel still
  // accepts and acknowledges TCP traffic. Throws when the postmaster's pid is unknown.
  void Stall() const;
  // SIGCONTs the postmaster and its children (no-op when not stalled).
  void Resume() const;

  const std::string& url() const { return url_; }

 private:
  std::string dir_;
  std::string url_;
  int watchdog_pid_ = -1;
  int watchdog_fd_ = -1;  // write end of the watchdog's pipe: "done" then close, or our death
};

// A session row for tests: id and token hash derived from `tag`.
session::SessionRecord MakeSession(identity::UserId user_id, const std::string& tag,
                                   UnixSeconds created_at = 1'700'000'000,
                                   UnixSeconds expires_at = 1'800'000'000,
                                   UnixSeconds idle_timeout = 1'209'600);

identity::NewUser MakeUser(const std::string& username, UnixSeconds created_at = 1'700'000'000);

// A 64-character hex string standing in for SHA-256(token).
std::string TokenHash(const std::string& tag);

// Waits up to `timeout` for `done` (checked every 10 ms); true when it came true.
bool Eventually(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

// Records what a session change feed delivers; thread-safe.
class RecordingSink final : public store::SessionChangeSink {
 public:
  void OnFeedUp() override;
  void OnFeedDown() override;
  void OnSessionChanged(std::string_view token_hash) override;
  void OnUserChanged(identity::UserId user_id) override;

  // Wait up to `timeout` for the predicate over the recorded state.
  bool WaitUntil(const std::function<bool(const RecordingSink&)>& pred,
                 std::chrono::milliseconds timeout);

  // Read under the sink's lock (inside WaitUntil's predicate) or after the feed stopped.
  int ups = 0;
  int downs = 0;
  std::vector<std::string> tokens;
  std::vector<identity::UserId> users;
  bool HasToken(const std::string& hash) const;
  bool HasUser(identity::UserId id) const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace latchkey::testing
