// Shared fixture of the PostgreSQL-only store tests (and of the contract suite's PostgreSQL
// side, tests/contract/postgres_backend.cpp): a fresh database per test on the cluster
// whose admin URL is in the file named by LATCHKEY_TEST_PG_URL_FILE (written by
// scripts/pg-cluster.sh start; the CTest fixture `pg` starts and stops that cluster).
// A missing URL fails the test: these tests exist to run, a silent skip would hide a broken
// setup. Each database is dropped (WITH (FORCE)) after its test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "contract/store_test_support.h"
#include "store/database.h"
#include "store/postgres/connection.h"
#include "store/postgres/postgres_database.h"

namespace latchkey::testing {

// A fresh, empty database on that cluster, dropped (WITH (FORCE)) when this goes. Throws
// std::runtime_error when the URL file is missing or empty, or the database cannot be made.
class PgScratchDatabase {
 public:
  PgScratchDatabase();
  PgScratchDatabase(const PgScratchDatabase&) = delete;
  PgScratchDatabase& operator=(const PgScratchDatabase&) = delete;
  ~PgScratchDatabase();

  const std::string& url() const { return url_; }
  const std::string& name() const { return dbname_; }
  // A raw connection to this database (schema checks, injected rows).
  std::unique_ptr<store::postgres::Connection> Connect() const;
  // A raw connection to the cluster's admin database.
  std::unique_ptr<store::postgres::Connection> ConnectAdmin() const;

 private:
  std::string admin_url_;
  std::string dbname_;
  std::string url_;
};

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

  const std::string& url() const { return scratch_->url(); }

  std::unique_ptr<store::postgres::PostgresDatabase> db_;

 private:
  std::unique_ptr<PgScratchDatabase> scratch_;
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

}  // namespace latchkey::testing
