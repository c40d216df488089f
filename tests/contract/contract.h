// The store contract suite: every test is written once against store::Database and runs on
// each dialect (as Ory Kratos runs its persister tests on every database it supports). A
// suite is a value-parameterised fixture deriving from ContractTest;
// LATCHKEY_CONTRACT_SUITE(Suite) instantiates it as Sqlite/Suite.* and Postgres/Suite.*.
// CTest runs the Sqlite/* tests in the `unit` label (a temporary file each, no server) and the
// Postgres/* tests in the `postgres` label (a fresh database each on the cluster of the `pg`
// fixture; see tests/pg/pg_fixture.h).
//
// Where the dialects legitimately differ, a test says so next to the branch on IsSqlite().
// Thread-safety: a fixture belongs to its test's thread; db() is as thread-safe as Database.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string_view>

#include "base/clock.h"
#include "base/errc.h"
#include "contract/store_test_support.h"
#include "mail/outgoing_mail.h"
#include "store/database.h"

namespace latchkey::testing {

// One empty, migrated database of one dialect, for one test; gone when destroyed.
class Backend {
 public:
  virtual ~Backend() = default;
  // A Database on it with `pool_size` connections; each call opens another one, as a second
  // node or an admin command's process would. Throws std::runtime_error.
  virtual std::unique_ptr<store::Database> Open(std::size_t pool_size) = 0;
  // Runs `sql` (no parameters, no rows back) on a connection of its own, outside any
  // Database: bulk rows for a test. Throws std::runtime_error when it fails.
  virtual void Exec(const char* sql) = 0;
  // The first column of the first row of `sql` as an integer (0 when NULL), on a connection of
  // its own. Throws std::runtime_error when it fails or returns no row.
  virtual std::int64_t QueryInt(const char* sql) = 0;
  // The dialect's InsertOutgoingMail (store/<dialect>/outgoing_mail_insert.h) inside a
  // transaction of a connection of its own, committed when `commit`, else rolled back: the
  // new row's id, or its error.
  virtual Result<std::int64_t> InsertMailInTransaction(const mail::OutgoingMail& mail, UnixTime now,
                                                       bool commit) = 0;
};

// A dialect under test: its name (store::Database::dialect()) and how to make a Backend.
struct Dialect {
  std::string_view name;
  std::unique_ptr<Backend> (*make)();
};

std::unique_ptr<Backend> MakeSqliteBackend();    // contract/sqlite_backend.cpp
std::unique_ptr<Backend> MakePostgresBackend();  // contract/postgres_backend.cpp

// Names the instantiation's tests (Sqlite/ContractUsers.X/sqlite) in gtest and CTest.
inline void PrintTo(const Dialect& dialect, std::ostream* os) { *os << dialect.name; }

inline const Dialect kSqlite{"sqlite", &MakeSqliteBackend};
inline const Dialect kPostgres{"postgres", &MakePostgresBackend};

class ContractTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override;
  // Closes every Database this test opened through db_ before the backend goes.
  void TearDown() override;

  // The Database opened by SetUp (4 connections).
  store::Database& db() { return *db_; }
  // Another Database on the same database (a second node, an admin command's process).
  std::unique_ptr<store::Database> Open(std::size_t pool_size = 4) {
    return backend_->Open(pool_size);
  }
  Backend& backend() { return *backend_; }
  bool IsSqlite() const { return GetParam().name == kSqlite.name; }

  // A user signed up with a first session tagged "<username>-0"; its id.
  identity::UserId NewUser(const std::string& username);
  bool Exists(const std::string& tag);

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<store::Database> db_;
};

}  // namespace latchkey::testing

// Runs every TEST_P of `suite` on both dialects.
#define LATCHKEY_CONTRACT_SUITE(suite)                                                      \
  INSTANTIATE_TEST_SUITE_P(Sqlite, suite, ::testing::Values(::latchkey::testing::kSqlite)); \
  INSTANTIATE_TEST_SUITE_P(Postgres, suite, ::testing::Values(::latchkey::testing::kPostgres))
