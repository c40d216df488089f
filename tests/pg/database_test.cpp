// PostgresDatabase as a whole: startup (migrations, the advisory lock, a schema from the
// future, an unreachable server), export and import.
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

TEST_F(PgDatabase, Dialect_IsPostgres) { EXPECT_EQ(db().dialect(), "postgres"); }

TEST_F(PgDatabase, Ping_Succeeds) { EXPECT_TRUE(db().Ping()); }

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

TEST_F(PgDatabase, ForEachUser_IdOrderAcrossPages) {
  // More than one export page (1000), inserted by a single statement for speed.
  auto conn = Connect();
  ASSERT_TRUE(conn->ExecScript("INSERT INTO users (username, name, password_hash, created_at)"
                               " SELECT 'user' || g, 'Name ' || g, 'hash' || g, g"
                               " FROM generate_series(1, 2345) AS g")
                  .ok());
  ASSERT_TRUE(conn->ExecScript("DELETE FROM users WHERE username = 'user1000'").ok());
  std::vector<identity::UserRecord> seen;
  auto r = db().ForEachUser([&](const identity::UserRecord& u) { seen.push_back(u); });
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(seen.size(), 2344u);
  for (std::size_t i = 1; i < seen.size(); ++i) {
    ASSERT_LT(seen[i - 1].user.id, seen[i].user.id);
  }
  EXPECT_EQ(seen.front().user.username, "user1");
  EXPECT_EQ(seen.front().user.name, "Name 1");
  EXPECT_EQ(seen.front().password_hash, "hash1");
  EXPECT_EQ(seen.front().created_at, 1);
  EXPECT_EQ(seen.back().user.username, "user2345");
}

TEST_F(PgDatabase, ForEachUser_Empty_CallsNothing) {
  int calls = 0;
  ASSERT_TRUE(db().ForEachUser([&](const identity::UserRecord&) { ++calls; }));
  EXPECT_EQ(calls, 0);
}

TEST_F(PgDatabase, ImportUser_KeepsFieldsNewId_TakenIsFalse) {
  auto existing = db().users().CreateUserWithSession(MakeUser("judy"), MakeSession(0, "j1"));
  ASSERT_TRUE(existing);
  identity::UserRecord rec;
  rec.user = {424242, "Mallory", "Mallory M."};
  rec.password_hash = "$argon2id$imported";
  rec.created_at = 1'600'000'000;
  auto imported = db().ImportUser(rec);
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_TRUE(*imported);
  auto found = db().users().FindUserByUsername("mallory").value();
  ASSERT_TRUE(found);
  EXPECT_NE(found->user.id, 424242);
  EXPECT_EQ(found->user.username, "Mallory");
  EXPECT_EQ(found->user.name, "Mallory M.");
  EXPECT_EQ(found->password_hash, "$argon2id$imported");
  EXPECT_EQ(found->created_at, 1'600'000'000);

  rec.user.username = "JUDY";
  auto taken = db().ImportUser(rec);
  ASSERT_TRUE(taken);
  EXPECT_FALSE(*taken);
  EXPECT_EQ(db().users().FindUserByUsername("judy").value()->user.id, existing->id);
}

}  // namespace
}  // namespace latchkey::testing
