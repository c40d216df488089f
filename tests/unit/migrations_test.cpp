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
  // TEMPORARY, branch operator only: 5 is main's throttling migration, not on this branch.
  // At the merge put the plain check back (this one then fails: 5 is there):
  //   int expected = 1;
  //   for (const auto& m : Migrations()) EXPECT_EQ(m.version, expected++) << m.name;
  std::vector<int> versions;
  for (const auto& m : Migrations()) versions.push_back(m.version);
  EXPECT_EQ(versions, (std::vector<int>{1, 2, 3, 4, 6}));
}

}  // namespace
}  // namespace latchkey::store::sqlite
