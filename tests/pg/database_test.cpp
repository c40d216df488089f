// PostgresDatabase as a whole, what only PostgreSQL has: startup (migrations, the advisory
// lock, a schema from the future, an unreachable server, migrations 4 and 5 from the version
// before). Export, import and the rest of store::Database: the contract suite (tests/contract).
#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>

#include "pg_fixture.h"
#include "store/postgres/migrations.h"

namespace latchkey::testing {
namespace {

using store::postgres::Migrate;
using store::postgres::Migrations;
using store::postgres::PostgresDatabase;
using store::postgres::SchemaVersion;

using PgDatabase = PgTest;

class PgFreshDatabase : public PgTest {
 protected:
  bool OpenOnSetUp() const override { return false; }
};

long CountRows(store::postgres::Connection& conn, const char* sql) {
  auto r = conn.ExecScript(sql);
  if (!r.ok() || r.rows() != 1) throw std::runtime_error("count failed: " + r.message());
  return static_cast<long>(r.Int(0, 0));
}

TEST_F(PgDatabase, Open_CreatesSchemaAtNewestVersion) {
  auto conn = Connect();
  EXPECT_EQ(SchemaVersion(*conn), Migrations().back().version);
  for (const char* table : {"users", "sessions", "throttles", "auth_events"}) {
    std::string sql = std::string("SELECT to_regclass('public.") + table + "') IS NOT NULL";
    auto r = conn->ExecScript(sql.c_str());
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.Bool(0, 0)) << table;
  }
}

TEST_F(PgDatabase, Migrate_SecondRunAndSecondOpen_ApplyNothing) {
  auto conn = Connect();
  EXPECT_TRUE(Migrate(*conn).empty());
  auto second = Open();
  EXPECT_EQ(CountRows(*conn, "SELECT count(*) FROM schema_migrations"),
            static_cast<long>(Migrations().size()));
}

TEST_F(PgDatabase, Open_SchemaNewerThanBinary_IsRefused) {
  auto conn = Connect();
  ASSERT_TRUE(
      conn->ExecScript("INSERT INTO schema_migrations VALUES (9999, 'from the future', 0)").ok());
  EXPECT_THROW(Open(), std::runtime_error);
  EXPECT_THROW(Migrate(*conn), std::runtime_error);
}

TEST_F(PgFreshDatabase, Open_TwoNodesAtOnce_BothSucceedAndMigrateOnce) {
  std::unique_ptr<PostgresDatabase> a, b;
  std::string error_a, error_b;
  auto open = [&](std::unique_ptr<PostgresDatabase>& out, std::string& error) {
    try {
      out = Open();
    } catch (const std::exception& e) {
      error = e.what();
    }
  };
  std::thread ta(open, std::ref(a), std::ref(error_a));
  std::thread tb(open, std::ref(b), std::ref(error_b));
  ta.join();
  tb.join();
  EXPECT_TRUE(a) << error_a;
  EXPECT_TRUE(b) << error_b;
  auto conn = Connect();
  EXPECT_EQ(CountRows(*conn, "SELECT count(*) FROM schema_migrations"),
            static_cast<long>(Migrations().size()));
}

TEST(PgUnreachable, Open_NothingListening_ThrowsQuickly) {
  auto start = std::chrono::steady_clock::now();
  // Port 1 on loopback: nothing listens there, the connection is refused at once.
  EXPECT_THROW(PostgresDatabase("postgres://latchkey@127.0.0.1:1/postgres", 2), std::runtime_error);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
}

TEST(PgUnreachable, Open_MalformedUrl_Throws) {
  EXPECT_THROW(PostgresDatabase("postgres://[oops", 1), std::runtime_error);
}

TEST_F(PgFreshDatabase, Migration4_FromVersion3_ExistingUsersStayEnabled) {
  auto conn = Connect();
  ASSERT_TRUE(conn->ExecScript("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
                               " name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
                  .ok());
  for (const auto& m : store::postgres::Migrations()) {
    if (m.version > 3) break;
    ASSERT_TRUE(conn->ExecScript(m.sql).ok()) << m.name;
    ASSERT_TRUE(
        conn->Exec("INSERT INTO schema_migrations VALUES ($1, $2, 0)", {m.version, m.name}).ok());
  }
  ASSERT_TRUE(conn->ExecScript("INSERT INTO users (username, password_hash, created_at)"
                               " VALUES ('old', 'h', 1)")
                  .ok());
  auto db = Open(1);  // migrates to the newest
  auto rec = db->users().FindUserByUsername("old").value();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->disabled_at, FromUnixSeconds(0));
  EXPECT_TRUE(db->users().SetDisabled(rec->user.id, FromUnixSeconds(5)).value());
  EXPECT_EQ(db->users().FindUserByUsername("old").value()->disabled_at, FromUnixSeconds(5));
}

TEST_F(PgFreshDatabase, Migration5_FromVersion4_ThrottleCountersKeptInMilliseconds) {
  auto conn = Connect();
  ASSERT_TRUE(conn->ExecScript("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
                               " name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
                  .ok());
  for (const auto& m : store::postgres::Migrations()) {
    if (m.version > 4) break;
    ASSERT_TRUE(conn->ExecScript(m.sql).ok()) << m.name;
    ASSERT_TRUE(
        conn->Exec("INSERT INTO schema_migrations VALUES ($1, $2, 0)", {m.version, m.name}).ok());
  }
  ASSERT_TRUE(
      conn->ExecScript("INSERT INTO throttles VALUES ('user:old', 6, 1000, 900, 6, 1002)").ok());
  auto db = Open(1);  // migrates to the newest
  auto state = db->throttles().GetThrottle("user:old").value();
  ASSERT_TRUE(state);
  EXPECT_EQ(state->failures, 6);
  EXPECT_EQ(state->last_failure_at, FromUnixSeconds(1000));
  EXPECT_EQ(state->window_start, FromUnixSeconds(900));
  EXPECT_EQ(state->locked_until, FromUnixSeconds(1002));
  EXPECT_EQ(state->pending, 0);
}

}  // namespace
}  // namespace latchkey::testing
