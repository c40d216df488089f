// session::SessionStore on every dialect: rotation, lookups, listing, touches, revocation
// and expiry.
#include "contract/contract.h"

namespace latchkey::testing {
namespace {

constexpr UnixTime kT0 = FromUnixSeconds(1'700'000'000);

class ContractSessions : public ContractTest {
 protected:
  void Insert(const session::SessionRecord& s) {
    auto r = db().sessions().InsertSession(s, nullptr);
    ASSERT_TRUE(r) << r.error().message;
  }
};
LATCHKEY_CONTRACT_SUITE(ContractSessions);

TEST_P(ContractSessions, InsertSession_WithReplaced_RotatesInOneStep) {
  auto uid = NewUser("rot");
  auto r =
      db().sessions().InsertSession(MakeSession(uid, "rot-1"), Replacing(TokenHashOf("rot-0")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(Exists("rot-0"));
  EXPECT_TRUE(Exists("rot-1"));
  // Replacing a session that is already gone still inserts.
  ASSERT_TRUE(
      db().sessions().InsertSession(MakeSession(uid, "rot-2"), Replacing(TokenHashOf("gone"))));
  EXPECT_TRUE(Exists("rot-2"));
}

TEST_P(ContractSessions, InsertSession_UserGone_KeepsReplacedSession) {
  auto keep = NewUser("keeper");
  auto gone = NewUser("goner");
  ASSERT_TRUE(db().users().DeleteUser(gone).value());
  auto r =
      db().sessions().InsertSession(MakeSession(gone, "g-1"), Replacing(TokenHashOf("keeper-0")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnauthenticated);
  EXPECT_TRUE(Exists("keeper-0"));  // the delete was rolled back with the failed insert
  (void)keep;
}

// A login's insert happens only while the hash it verified is still the user's: a reset (or
// an undo, a password change) committed in between leaves no session from the old password.
TEST_P(ContractSessions, InsertSessionIfPassword_StaleHashOrDisabled_InsertsNothing) {
  auto uid = NewUser("cred");
  auto record = db().users().FindUserById(uid).value();
  ASSERT_TRUE(record);
  std::string verified = record->password_hash;
  auto r = db().sessions().InsertSessionIfPassword(MakeSession(uid, "cred-1"),
                                                   Replacing(TokenHashOf("cred-0")), verified);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(*r);
  EXPECT_FALSE(Exists("cred-0"));
  EXPECT_TRUE(Exists("cred-1"));
  // The password changed after it was verified: nothing inserted, the replaced session kept.
  ASSERT_TRUE(db().users().RehashPassword(uid, verified, "$argon2id$v=19$m=19456,t=2,p=1$new"));
  auto stale = db().sessions().InsertSessionIfPassword(MakeSession(uid, "cred-2"),
                                                       Replacing(TokenHashOf("cred-1")), verified);
  ASSERT_TRUE(stale) << stale.error().message;
  EXPECT_FALSE(*stale);
  EXPECT_FALSE(Exists("cred-2"));
  EXPECT_TRUE(Exists("cred-1"));
  // Disabled since: nothing either; a user gone: nothing, not an error.
  ASSERT_TRUE(db().users().SetDisabled(uid, kT0));
  EXPECT_FALSE(db().sessions()
                   .InsertSessionIfPassword(MakeSession(uid, "cred-3"), nullptr,
                                            "$argon2id$v=19$m=19456,t=2,p=1$new")
                   .value());
  auto gone = NewUser("credgone");
  std::string gone_hash = db().users().FindUserById(gone).value().value().password_hash;
  ASSERT_TRUE(db().users().DeleteUser(gone).value());
  EXPECT_FALSE(db().sessions()
                   .InsertSessionIfPassword(MakeSession(gone, "cred-4"), nullptr, gone_hash)
                   .value());
  EXPECT_FALSE(Exists("cred-3"));
  EXPECT_FALSE(Exists("cred-4"));
}

TEST_P(ContractSessions, DeleteSessionByTokenHash_TrueOnceThenFalse) {
  NewUser("del");
  EXPECT_TRUE(db().sessions().DeleteSessionByTokenHash(TokenHashOf("del-0")).value());
  EXPECT_FALSE(db().sessions().DeleteSessionByTokenHash(TokenHashOf("del-0")).value());
}

TEST_P(ContractSessions, ListSessions_LiveOnlyNewestFirstTiesByInsertion) {
  auto uid = NewUser("lister");  // lister-0 created at kT0
  auto other = NewUser("other");
  Insert(MakeSession(uid, "old", kT0 - Seconds(100)));
  Insert(MakeSession(uid, "tie-a", kT0 + Seconds(50)));
  Insert(MakeSession(uid, "tie-b", kT0 + Seconds(50)));
  Insert(MakeSession(uid, "newest", kT0 + Seconds(60)));
  Insert(MakeSession(uid, "absolute-ended", kT0 + Seconds(1), kT0 + Seconds(10)));
  Insert(MakeSession(uid, "idle-ended", kT0 + Seconds(2), kT0 + Seconds(100'000), Seconds(5)));
  Insert(MakeSession(other, "not-mine", kT0 + Seconds(70)));
  auto list = db().sessions().ListSessions(uid, kT0 + Seconds(10));
  ASSERT_TRUE(list) << list.error().message;
  std::vector<std::string> ids;
  for (const auto& s : *list) ids.push_back(s.id.value());
  EXPECT_EQ(ids, (std::vector<std::string>{"sid-newest", "sid-tie-b", "sid-tie-a", "sid-lister-0",
                                           "sid-old"}));
}

TEST_P(ContractSessions, ListSessions_ExpiryIsExclusiveAtNow) {
  auto uid = NewUser("edge");
  Insert(MakeSession(uid, "ends-at-now", kT0, kT0 + Seconds(10)));
  auto at_end = db().sessions().ListSessions(uid, kT0 + Seconds(10)).value();
  for (const auto& s : at_end) EXPECT_NE(s.id.value(), "sid-ends-at-now");
  auto before = db().sessions().ListSessions(uid, kT0 + Seconds(9)).value();
  EXPECT_EQ(before.size(), 2u);
}

TEST_P(ContractSessions, TouchSession_MovesIdleExpiry) {
  auto uid = NewUser("toucher");
  Insert(MakeSession(uid, "idle", kT0, kT0 + Seconds(100'000), Seconds(10)));
  ASSERT_TRUE(db().sessions().TouchSession(TokenHashOf("idle"), kT0 + Seconds(8)));
  auto s = db().sessions().FindSessionByTokenHash(TokenHashOf("idle")).value();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->session.last_seen_at, kT0 + Seconds(8));
  auto list = db().sessions().ListSessions(uid, kT0 + Seconds(15)).value();
  bool found = false;
  for (const auto& x : list) found = found || x.id.value() == "sid-idle";
  EXPECT_TRUE(found);
  // Touching an unknown session is not an error.
  EXPECT_TRUE(db().sessions().TouchSession(TokenHashOf("unknown"), kT0));
}

TEST_P(ContractSessions, TouchSessions_OneBatchNeverBackwards) {
  auto uid = NewUser("batched");
  Insert(MakeSession(uid, "b1", kT0, kT0 + Seconds(100'000), Seconds(10)));
  Insert(MakeSession(uid, "b2", kT0, kT0 + Seconds(100'000), Seconds(10)));
  ASSERT_TRUE(db().sessions().TouchSession(TokenHashOf("b2"), kT0 + Seconds(50)));  // a newer touch
  std::vector<session::SessionStore::Touch> batch{{TokenHashOf("b1"), kT0 + Seconds(8)},
                                                  {TokenHashOf("b2"), kT0 + Seconds(9)},
                                                  {TokenHashOf("unknown"), kT0 + Seconds(9)}};
  ASSERT_TRUE(db().sessions().TouchSessions(batch));
  auto b1 = db().sessions().FindSessionByTokenHash(TokenHashOf("b1")).value();
  auto b2 = db().sessions().FindSessionByTokenHash(TokenHashOf("b2")).value();
  ASSERT_TRUE(b1 && b2);
  EXPECT_EQ(b1->session.last_seen_at, kT0 + Seconds(8));
  EXPECT_EQ(b2->session.last_seen_at, kT0 + Seconds(50))
      << "GREATEST: a late batch never moves it back";
}

TEST_P(ContractSessions, DeleteUserSession_OnlyTheOwnersSession) {
  auto a = NewUser("owner");
  auto b = NewUser("intruder");
  EXPECT_FALSE(db().sessions().DeleteUserSession(b, session::SessionId("sid-owner-0")).value());
  EXPECT_TRUE(Exists("owner-0"));
  EXPECT_TRUE(db().sessions().DeleteUserSession(a, session::SessionId("sid-owner-0")).value());
  EXPECT_FALSE(Exists("owner-0"));
  EXPECT_FALSE(db().sessions().DeleteUserSession(a, session::SessionId("sid-owner-0")).value());
}

TEST_P(ContractSessions, DeleteOtherSessions_CountsLiveOnesOnly) {
  auto uid = NewUser("many");
  auto other = NewUser("bystander");
  Insert(MakeSession(uid, "live-1", kT0 + Seconds(1)));
  Insert(MakeSession(uid, "live-2", kT0 + Seconds(2)));
  Insert(MakeSession(uid, "ended-abs", kT0, kT0 + Seconds(5)));
  Insert(MakeSession(uid, "ended-idle", kT0, kT0 + Seconds(100'000), Seconds(5)));
  auto revoked = db().sessions().DeleteOtherSessions(uid, TokenHashOf("many-0"), kT0 + Seconds(10));
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_EQ(*revoked, 2);  // live-1, live-2; the ended ones go uncounted
  EXPECT_TRUE(Exists("many-0"));
  for (const char* tag : {"live-1", "live-2", "ended-abs", "ended-idle"}) {
    EXPECT_FALSE(Exists(tag)) << tag;
  }
  EXPECT_TRUE(Exists("bystander-0"));
  (void)other;
  EXPECT_EQ(
      db().sessions().DeleteOtherSessions(uid, TokenHashOf("many-0"), kT0 + Seconds(10)).value(),
      0);
}

TEST_P(ContractSessions, DeleteExpiredSessions_RemovesBothKindsOfEnded) {
  auto uid = NewUser("sweep");  // sweep-0: live until kT0 + 14 days idle
  Insert(MakeSession(uid, "abs", kT0, kT0 + Seconds(5)));
  Insert(MakeSession(uid, "idle", kT0, kT0 + Seconds(100'000), Seconds(5)));
  Insert(MakeSession(uid, "abs-edge", kT0, kT0 + Seconds(10)));
  auto swept = db().sessions().DeleteExpiredSessions(kT0 + Seconds(10));
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 3);
  EXPECT_TRUE(Exists("sweep-0"));
  EXPECT_EQ(db().sessions().DeleteExpiredSessions(kT0 + Seconds(10)).value(), 0);
}

TEST_P(ContractSessions, UserAgentNotUtf8_IsStoredAndReadBack) {
  auto uid = NewUser("agent");
  auto s = MakeSession(uid, "ua");
  s.user_agent = std::string("Mozilla\xff\xfe/5.0 ") + std::string(1, '\0') + "x";
  s.persistent = false;
  Insert(s);
  auto found = db().sessions().FindSessionByTokenHash(TokenHashOf("ua")).value();
  ASSERT_TRUE(found);
  if (IsSqlite()) {
    // The dialects differ: SQLite stores any bytes, so they come back as sent.
    EXPECT_EQ(found->session.user_agent, s.user_agent);
  } else {
    // PostgreSQL TEXT holds valid UTF-8 without NUL: each bad byte and the NUL become U+FFFD
    // (store/postgres/text.h) rather than failing the login.
    EXPECT_EQ(found->session.user_agent, "Mozilla\xEF\xBF\xBD\xEF\xBF\xBD/5.0 \xEF\xBF\xBDx");
  }
  EXPECT_FALSE(found->session.persistent);
}

TEST_P(ContractSessions, FindSessionById_AnyUsers_UnknownIsEmpty) {
  auto u =
      db().users().CreateUserWithSession(MakeUser("finn"), MakeSession(identity::UserId(0), "f1"));
  ASSERT_TRUE(u);
  auto s = db().sessions().FindSessionById(session::SessionId("sid-f1")).value();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user_id, u->id);
  EXPECT_EQ(s->token_hash, TokenHashOf("f1"));
  EXPECT_FALSE(db().sessions().FindSessionById(session::SessionId("sid-none")).value());
}

}  // namespace
}  // namespace latchkey::testing
