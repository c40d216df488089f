#include "store/sqlite/migrations.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace latchkey::store::sqlite {
namespace {

bool TableExists(Connection& conn, const char* name) {
  static constexpr const char* kSql = "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1";
  auto stmt = conn.Prepare(kSql);
  return stmt && stmt->Bind(1, name).Step() == SQLITE_ROW;
}

TEST(Migrate_FreshDatabase, CreatesSchemaAtNewestVersion) {
  testing::TempDir dir;
  Connection conn((dir.path() / "db").string());
  auto applied = Migrate(conn);
  ASSERT_EQ(applied.size(), Migrations().size());
  EXPECT_EQ(SchemaVersion(conn), Migrations().back().version);
  EXPECT_TRUE(TableExists(conn, "users"));
  EXPECT_TRUE(TableExists(conn, "sessions"));
}

TEST(Migrate_SecondRun, AppliesNothing) {
  testing::TempDir dir;
  std::string path = (dir.path() / "db").string();
  {
    Connection conn(path);
    Migrate(conn);
  }
  Connection again(path);
  EXPECT_TRUE(Migrate(again).empty());
}

TEST(Migrate_NewerDatabase, IsRefused) {
  testing::TempDir dir;
  Connection conn((dir.path() / "db").string());
  Migrate(conn);
  ASSERT_EQ(conn.Exec("INSERT INTO schema_migrations VALUES (9999, 'future', 0)"), SQLITE_OK);
  EXPECT_THROW(Migrate(conn), std::runtime_error);
}

TEST(Migrations_List, VersionsAscendFromOne) {
  int expected = 1;
  for (const auto& m : Migrations()) EXPECT_EQ(m.version, expected++) << m.name;
}

TEST(Migration5, ThrottleCountersKeptInMilliseconds) {
  testing::TempDir dir;
  Connection conn((dir.path() / "db").string());
  ASSERT_EQ(SchemaVersion(conn), 0);
  for (const auto& m : Migrations()) {
    if (m.version > 4) break;
    ASSERT_EQ(conn.Exec(m.sql), SQLITE_OK) << m.name;
    auto stmt = conn.Prepare(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, 0)");
    ASSERT_EQ(stmt->Bind(1, std::int64_t{m.version}).Bind(2, m.name).Step(), SQLITE_DONE);
  }
  ASSERT_EQ(conn.Exec("INSERT INTO throttles VALUES ('user:old', 6, 1000, 900, 6, 1002)"),
            SQLITE_OK);
  EXPECT_EQ(Migrate(conn).front(), 5);
  auto stmt = conn.Prepare(
      "SELECT failures, last_failure_ms, window_start_ms, window_failures, locked_until_ms,"
      " pending, pending_until_ms FROM throttles WHERE key = 'user:old'");
  ASSERT_EQ(stmt->Step(), SQLITE_ROW);
  EXPECT_EQ(stmt->Int(0), 6);
  EXPECT_EQ(stmt->Int(1), 1'000'000);
  EXPECT_EQ(stmt->Int(2), 900'000);
  EXPECT_EQ(stmt->Int(3), 6);
  EXPECT_EQ(stmt->Int(4), 1'002'000);
  EXPECT_EQ(stmt->Int(5), 0);
  EXPECT_EQ(stmt->Int(6), 0);
}

}  // namespace
}  // namespace latchkey::store::sqlite
