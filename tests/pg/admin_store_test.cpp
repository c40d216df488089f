// The operators' store operations on PostgreSQL (`latchkey user ...`, `latchkey session
// ...`), with the outcomes store/sqlite gives: disabling deletes the user's sessions and hides
// any session of a disabled user, enabling clears it, a password reset ends every session,
// sessions are found by public id, users are added without a session; each change reaches
// other nodes through the NOTIFY feed (a CLI process is such a node); migration 4 leaves
// existing users enabled.
#include <chrono>

#include "pg_fixture.h"
#include "store/postgres/migrations.h"

namespace latchkey::testing {
namespace {

using namespace std::chrono_literals;
using PgAdmin = PgTest;

TEST_F(PgAdmin, SetDisabled_DeletesSessions_HidesLaterOnes_EnableDeletesThem) {
  auto u = db().users().CreateUserWithSession(MakeUser("dora"), MakeSession(0, "d1"));
  ASSERT_TRUE(u);
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(u->id, "d2"), std::nullopt));
  ASSERT_TRUE(db().users().SetDisabled(u->id, 1'700'000'500).value());
  auto rec = db().users().FindUserById(u->id).value();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->disabled_at, 1'700'000'500);
  EXPECT_FALSE(db().sessions().FindSessionById("sid-d1").value());
  EXPECT_FALSE(db().sessions().FindSessionById("sid-d2").value());
  // A login racing the disable inserts its session afterwards: never resolved.
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(u->id, "d3"), std::nullopt));
  EXPECT_FALSE(db().sessions().FindSessionByTokenHash(TokenHash("d3")).value());
  ASSERT_TRUE(db().users().SetDisabled(u->id, 0).value());
  EXPECT_EQ(db().users().FindUserByUsername("DORA").value()->disabled_at, 0);
  // Enabling must not bring the racing login's session back to life: it is deleted.
  EXPECT_FALSE(db().sessions().FindSessionByTokenHash(TokenHash("d3")).value());
  EXPECT_FALSE(db().sessions().FindSessionById("sid-d3").value());
  EXPECT_FALSE(db().users().SetDisabled(987654, 1).value()) << "unknown user";
}

TEST_F(PgAdmin, ResetPassword_SetsHashAndDeletesEverySession) {
  auto u = db().users().CreateUserWithSession(MakeUser("rita"), MakeSession(0, "r1"));
  ASSERT_TRUE(u);
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(u->id, "r2"), std::nullopt));
  ASSERT_TRUE(db().users().ResetPassword(u->id, "$argon2id$new").value());
  EXPECT_EQ(db().users().FindUserById(u->id).value()->password_hash, "$argon2id$new");
  EXPECT_FALSE(db().sessions().FindSessionByTokenHash(TokenHash("r1")).value());
  EXPECT_FALSE(db().sessions().FindSessionByTokenHash(TokenHash("r2")).value());
  EXPECT_FALSE(db().users().ResetPassword(987654, "$argon2id$x").value());
}

TEST_F(PgAdmin, FindSessionById_AnyUsers_UnknownIsEmpty) {
  auto u = db().users().CreateUserWithSession(MakeUser("finn"), MakeSession(0, "f1"));
  ASSERT_TRUE(u);
  auto s = db().sessions().FindSessionById("sid-f1").value();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user_id, u->id);
  EXPECT_EQ(s->token_hash, TokenHash("f1"));
  EXPECT_FALSE(db().sessions().FindSessionById("sid-none").value());
}

TEST_F(PgAdmin, CreateUser_NoSession_TakenAnyCase) {
  auto u = db().users().CreateUser(MakeUser("Cara"));
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_GT(u->id, 0);
  EXPECT_TRUE(db().sessions().ListSessions(u->id, 1'700'000'000).value().empty());
  auto again = db().users().CreateUser(MakeUser("cara"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kUsernameTaken);
}

class PgAdminFeed : public PgTest {
 protected:
  void TearDown() override {
    db_.reset();  // stops the feed before sink goes
    PgTest::TearDown();
  }
  RecordingSink sink;
};

TEST_F(PgAdminFeed, DisableAndReset_FromOtherNode_ReachTheFeed) {
  ASSERT_TRUE(db().WatchSessionChanges(sink));
  ASSERT_TRUE(sink.WaitUntil([](const RecordingSink& s) { return s.ups == 1; }, 3s));
  auto cli = Open(1);  // as `latchkey user disable` opens it
  auto u = cli->users().CreateUserWithSession(MakeUser("nina"), MakeSession(0, "n1"));
  ASSERT_TRUE(u);
  ASSERT_TRUE(cli->users().SetDisabled(u->id, 1'700'000'001).value());
  EXPECT_TRUE(sink.WaitUntil([&](const RecordingSink& s) { return s.HasUser(u->id); }, 1s));
  auto v = cli->users().CreateUserWithSession(MakeUser("nora"), MakeSession(0, "n2"));
  ASSERT_TRUE(v);
  ASSERT_TRUE(cli->users().ResetPassword(v->id, "$argon2id$z").value());
  EXPECT_TRUE(sink.WaitUntil([&](const RecordingSink& s) { return s.HasUser(v->id); }, 1s));
}

class PgAdminFresh : public PgTest {
 protected:
  bool OpenOnSetUp() const override { return false; }
};

TEST_F(PgAdminFresh, Migration4_FromVersion3_ExistingUsersStayEnabled) {
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
  EXPECT_EQ(rec->disabled_at, 0);
  EXPECT_TRUE(db->users().SetDisabled(rec->user.id, 5).value());
  EXPECT_EQ(db->users().FindUserByUsername("old").value()->disabled_at, 5);
}

}  // namespace
}  // namespace latchkey::testing
