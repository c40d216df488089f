// onetime::TokenStore on every dialect: one usable token per (user, purpose), single use under
// real concurrency, expiry at the second, code attempts, and the account changes that consume
// a token (verify, undo, recovery) with the unique index of verified addresses.
#include <atomic>
#include <thread>
#include <vector>

#include "contract/contract.h"
#include "crypto/encoding.h"
#include "identity/email.h"
#include "onetime/token_store.h"

namespace latchkey::testing {
namespace {

using onetime::Purpose;
using onetime::TokenRecord;

constexpr UnixTime kNow = FromUnixSeconds(1'700'000'000);

TokenRecord Token(identity::UserId user, Purpose purpose, const std::string& tag,
                  std::string data = {}, UnixTime expires = kNow + Seconds(1800)) {
  TokenRecord t;
  t.user_id = user;
  t.purpose = purpose;
  t.token_hash = crypto::Sha256Hex("token-" + tag);
  t.code_hash = crypto::Sha256Hex("code-" + tag);
  t.data = std::move(data);
  t.created_at = kNow;
  t.expires_at = expires;
  return t;
}

onetime::Mails OneMail(identity::UserId user) {
  return {mail::OutgoingMail{"verify_email", "x@example.org", user.value(), "v1.sealed"}};
}

class ContractTokens : public ContractTest {
 protected:
  onetime::TokenStore& tokens() { return db().tokens(); }
  void Issue(const TokenRecord& t) {
    auto r = tokens().IssueToken(t, OneMail(t.user_id), kNow);
    ASSERT_TRUE(r) << r.error().message;
  }
  bool Usable(const std::string& tag, UnixTime at = kNow) {
    return tokens().FindUsableToken(crypto::Sha256Hex("token-" + tag), at).value().has_value();
  }
  // A user whose address is `email`, verified through a verify token.
  identity::UserId VerifiedUser(const std::string& name, const std::string& email) {
    auto id = NewUser(name);
    auto t = Token(id, Purpose::kVerifyEmail, name + "-verify", EmailKey(email));
    EXPECT_TRUE(tokens().ChangeEmail(id, email, {t}, {}, kNow));
    auto v = tokens().VerifyEmail(t.token_hash, kNow);
    EXPECT_TRUE(v && *v && (*v)->email_verified);
    return id;
  }
  static std::string EmailKey(const std::string& email) { return identity::EmailKey(email); }
};
LATCHKEY_CONTRACT_SUITE(ContractTokens);

TEST_P(ContractTokens, IssueToken_NewOneReplacesTheEarlierOfItsPurposeOnly) {
  auto uid = NewUser("replace");
  Issue(Token(uid, Purpose::kRecovery, "r1"));
  Issue(Token(uid, Purpose::kVerifyEmail, "v1"));
  Issue(Token(uid, Purpose::kRecovery, "r2"));
  EXPECT_FALSE(Usable("r1"));
  EXPECT_TRUE(Usable("r2"));
  EXPECT_TRUE(Usable("v1"));
  auto of = tokens().FindUsableTokenOf(uid, Purpose::kRecovery, kNow);
  ASSERT_TRUE(of && *of);
  EXPECT_EQ((*of)->token_hash, crypto::Sha256Hex("token-r2"));
  EXPECT_EQ((*of)->code_attempts, 0);
}

TEST_P(ContractTokens, IssueToken_UserGone_Unauthenticated) {
  auto uid = NewUser("gone");
  ASSERT_TRUE(db().users().DeleteUser(uid).value());
  auto r = tokens().IssueToken(Token(uid, Purpose::kRecovery, "g"), OneMail(uid), kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnauthenticated);
}

TEST_P(ContractTokens, Token_ExpiresAtItsSecond) {
  auto uid = NewUser("expiry");
  Issue(Token(uid, Purpose::kRecovery, "e", {}, kNow + Seconds(10)));
  EXPECT_TRUE(Usable("e", kNow + Seconds(9)));
  EXPECT_FALSE(Usable("e", kNow + Seconds(10)));
  auto hash = crypto::Sha256Hex("token-e");
  EXPECT_FALSE(tokens().ConsumeToken(hash, Purpose::kRecovery, kNow + Seconds(10)).value());
  EXPECT_TRUE(tokens().ConsumeToken(hash, Purpose::kRecovery, kNow + Seconds(9)).value());
}

TEST_P(ContractTokens, ConsumeToken_WrongPurpose_ConsumesNothing) {
  auto uid = NewUser("purpose");
  Issue(Token(uid, Purpose::kVerifyEmail, "p"));
  auto hash = crypto::Sha256Hex("token-p");
  EXPECT_FALSE(tokens().ConsumeToken(hash, Purpose::kRecovery, kNow).value());
  EXPECT_TRUE(Usable("p"));
}

TEST_P(ContractTokens, ConsumeToken_ManyThreadsAndNodesAtOnce_ExactlyOneSucceeds) {
  auto uid = NewUser("race");
  Issue(Token(uid, Purpose::kRecovery, "race"));
  auto second = Open();  // another node on the same database
  auto hash = crypto::Sha256Hex("token-race");
  std::atomic<int> wins{0}, errors{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    store::Database* on = i % 2 == 0 ? &db() : second.get();
    threads.emplace_back([&, on] {
      while (!go.load()) std::this_thread::yield();
      auto r = on->tokens().ConsumeToken(hash, Purpose::kRecovery, kNow);
      if (!r) {
        ++errors;
      } else if (*r) {
        ++wins;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_FALSE(Usable("race"));
}

TEST_P(ContractTokens, IssueToken_ManyAtOnceOnTwoNodes_LeavesOneUsable) {
  auto uid = NewUser("issuers");
  auto second = Open();  // another node on the same database
  for (int round = 0; round < 5; ++round) {
    std::atomic<bool> go{false};
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      store::Database* on = i % 2 == 0 ? &db() : second.get();
      std::string tag = "c" + std::to_string(round) + "-" + std::to_string(i);
      threads.emplace_back([&, on, tag] {
        while (!go.load()) std::this_thread::yield();
        auto t = Token(uid, Purpose::kRecovery, tag);
        if (!on->tokens().IssueToken(t, OneMail(uid), kNow)) ++errors;
      });
    }
    go = true;
    for (auto& t : threads) t.join();
    int usable = 0;
    for (int i = 0; i < 8; ++i) {
      if (Usable("c" + std::to_string(round) + "-" + std::to_string(i))) ++usable;
    }
    EXPECT_EQ(usable, 1) << "round " << round << ", " << errors.load() << " errors";
  }
}

TEST_P(ContractTokens, CountCodeFailure_CountsPerToken) {
  auto uid = NewUser("codes");
  Issue(Token(uid, Purpose::kRecovery, "c"));
  auto t = tokens().FindUsableTokenOf(uid, Purpose::kRecovery, kNow).value().value();
  EXPECT_EQ(tokens().CountCodeFailure(t.id).value(), 1);
  EXPECT_EQ(tokens().CountCodeFailure(t.id).value(), 2);
  EXPECT_EQ(tokens().FindUsableToken(t.token_hash, kNow).value()->code_attempts, 2);
  EXPECT_EQ(tokens().CountCodeFailure(t.id + 1000).value(), 0);
}

TEST_P(ContractTokens, ChangeEmail_UnverifiedUntilItsTokenIsUsed_ThenVerifiedOnce) {
  auto uid = NewUser("mailer");
  auto t = Token(uid, Purpose::kVerifyEmail, "m", EmailKey("Me@Example.ORG"));
  auto changed = tokens().ChangeEmail(uid, "Me@Example.ORG", {t}, OneMail(uid), kNow);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->email, "Me@Example.ORG");
  EXPECT_FALSE(changed->email_verified);
  // Sessions resolve with the user's address (GET /api/auth shows it).
  auto resolved = db().sessions().FindSessionByTokenHash(TokenHashOf("mailer-0")).value();
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->user.email, "Me@Example.ORG");
  EXPECT_FALSE(db().users().FindUserByVerifiedEmail("Me@example.org").value());

  auto verified = tokens().VerifyEmail(t.token_hash, kNow);
  ASSERT_TRUE(verified && *verified);
  EXPECT_TRUE((*verified)->email_verified);
  EXPECT_FALSE(tokens().VerifyEmail(t.token_hash, kNow).value());  // single use
  auto found = db().users().FindUserByVerifiedEmail("Me@example.org").value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user.id, uid);
  EXPECT_GT(found->email_verified_at, UnixTime{});
  // The local part is compared as written.
  EXPECT_FALSE(db().users().FindUserByVerifiedEmail("me@example.org").value());
}

TEST_P(ContractTokens, VerifyEmail_AddressChangedSince_VerifiesNothing) {
  auto uid = NewUser("changer");
  auto first = Token(uid, Purpose::kVerifyEmail, "first", EmailKey("a@example.org"));
  ASSERT_TRUE(tokens().ChangeEmail(uid, "a@example.org", {first}, {}, kNow));
  // A second change replaces the first address's verify token; its hash no longer works...
  auto second = Token(uid, Purpose::kVerifyEmail, "second", EmailKey("b@example.org"));
  ASSERT_TRUE(tokens().ChangeEmail(uid, "b@example.org", {second}, {}, kNow));
  EXPECT_FALSE(tokens().VerifyEmail(first.token_hash, kNow).value());
  // ...and a token whose data names another address verifies nothing either.
  auto stale = Token(uid, Purpose::kVerifyEmail, "stale", EmailKey("a@example.org"));
  Issue(stale);
  EXPECT_FALSE(tokens().VerifyEmail(stale.token_hash, kNow).value());
  EXPECT_FALSE(db().users().FindUserById(uid).value()->user.email_verified);
}

TEST_P(ContractTokens, VerifyEmail_AddressVerifiedByAnotherAccount_EmailTakenNothingWritten) {
  VerifiedUser("owner", "shared@example.org");
  auto other = NewUser("claimer");
  auto t = Token(other, Purpose::kVerifyEmail, "claim", EmailKey("shared@EXAMPLE.org"));
  ASSERT_TRUE(tokens().ChangeEmail(other, "shared@EXAMPLE.org", {t}, {}, kNow));
  auto r = tokens().VerifyEmail(t.token_hash, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kEmailTaken);
  EXPECT_EQ(r.error().field, "email");
  EXPECT_FALSE(db().users().FindUserById(other).value()->user.email_verified);
  EXPECT_TRUE(Usable("claim"));  // rolled back with the failed update
}

// The same address spelt otherwise (the domain's case): stored as spelt, still verified, the
// pending tokens kept; a key that no longer matches writes nothing.
TEST_P(ContractTokens, RespellEmail_SameKey_KeepsVerificationAndTokens) {
  auto uid = VerifiedUser("speller", "Alice@example.org");
  auto rec = Token(uid, Purpose::kRecovery, "speller-rec", "");
  ASSERT_TRUE(tokens().IssueToken(rec, {}, kNow));
  auto respelt = db().users().RespellEmail(uid, "Alice@EXAMPLE.org");
  ASSERT_TRUE(respelt) << respelt.error().message;
  EXPECT_EQ(respelt->email, "Alice@EXAMPLE.org");
  EXPECT_TRUE(respelt->email_verified);
  EXPECT_TRUE(Usable("speller-rec"));
  auto other = db().users().RespellEmail(uid, "alice@example.org");  // another local part
  ASSERT_TRUE(other);
  EXPECT_EQ(other->email, "Alice@EXAMPLE.org");
  EXPECT_TRUE(other->email_verified);
  auto gone = db().users().RespellEmail(identity::UserId(987654), "a@example.org");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::kUnauthenticated);
}

TEST_P(ContractTokens, UndoEmailChange_RestoresTheOldAddressVerifiedAndEndsEverySession) {
  auto uid = VerifiedUser("undoer", "old@example.org");
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(uid, "undoer-1"), nullptr));
  auto verify = Token(uid, Purpose::kVerifyEmail, "new", EmailKey("new@example.org"));
  auto undo = Token(uid, Purpose::kUndoEmailChange, "undo", "old@example.org",
                    kNow + std::chrono::hours(72));
  ASSERT_TRUE(tokens().ChangeEmail(uid, "new@example.org", {verify, undo}, {}, kNow));
  auto undone = tokens().UndoEmailChange(undo.token_hash, kNow + std::chrono::hours(71));
  ASSERT_TRUE(undone && *undone) << (undone ? "not usable" : undone.error().message);
  EXPECT_EQ((*undone)->email, "old@example.org");
  EXPECT_TRUE((*undone)->email_verified);
  EXPECT_FALSE(Exists("undoer-0"));
  EXPECT_FALSE(Exists("undoer-1"));
  EXPECT_FALSE(Usable("new"));  // the new address's link is dead
  EXPECT_FALSE(tokens().UndoEmailChange(undo.token_hash, kNow).value());
  // Whoever changed the address may know the password: it no longer works.
  EXPECT_EQ(db().users().FindUserById(uid).value()->password_hash, identity::kUnusablePasswordHash);
}

TEST_P(ContractTokens, UndoEmailChange_LaterChangeKeepsEarlierUndo_UndoEndsEveryLaterToken) {
  auto uid = VerifiedUser("chain", "v@example.org");
  auto undo_v = Token(uid, Purpose::kUndoEmailChange, "undo-v", "v@example.org");
  auto verify_a1 = Token(uid, Purpose::kVerifyEmail, "a1", EmailKey("a1@example.org"));
  ASSERT_TRUE(tokens().ChangeEmail(uid, "a1@example.org", {verify_a1, undo_v}, {}, kNow));
  ASSERT_TRUE(tokens().VerifyEmail(verify_a1.token_hash, kNow).value());
  auto undo_a1 = Token(uid, Purpose::kUndoEmailChange, "undo-a1", "a1@example.org");
  auto verify_a2 = Token(uid, Purpose::kVerifyEmail, "a2", EmailKey("a2@example.org"));
  ASSERT_TRUE(tokens().ChangeEmail(uid, "a2@example.org", {verify_a2, undo_a1}, {}, kNow));
  EXPECT_TRUE(Usable("undo-v"));  // not replaced by the later change's undo token
  Issue(Token(uid, Purpose::kRecovery, "rec"));
  // The later change's undo: the earlier undo token survives it, the rest goes.
  auto own = tokens().UndoEmailChange(undo_a1.token_hash, kNow);
  ASSERT_TRUE(own && *own);
  EXPECT_EQ((*own)->email, "a1@example.org");
  EXPECT_TRUE(Usable("undo-v"));
  EXPECT_FALSE(Usable("a2"));
  EXPECT_FALSE(Usable("rec"));
  Issue(Token(uid, Purpose::kRecovery, "rec2"));
  auto undone = tokens().UndoEmailChange(undo_v.token_hash, kNow);
  ASSERT_TRUE(undone && *undone);
  EXPECT_EQ((*undone)->email, "v@example.org");
  EXPECT_TRUE((*undone)->email_verified);
  EXPECT_FALSE(Usable("rec2"));
}

TEST_P(ContractTokens, UndoEmailChange_EndsLaterUndoTokens) {
  auto uid = VerifiedUser("chain2", "w@example.org");
  auto undo_w = Token(uid, Purpose::kUndoEmailChange, "undo-w", "w@example.org");
  auto verify_b = Token(uid, Purpose::kVerifyEmail, "b1", EmailKey("b1@example.org"));
  ASSERT_TRUE(tokens().ChangeEmail(uid, "b1@example.org", {verify_b, undo_w}, {}, kNow));
  ASSERT_TRUE(tokens().VerifyEmail(verify_b.token_hash, kNow).value());
  auto undo_b = Token(uid, Purpose::kUndoEmailChange, "undo-b1", "b1@example.org");
  ASSERT_TRUE(tokens().ChangeEmail(uid, "b2@example.org", {undo_b}, {}, kNow));
  ASSERT_TRUE(tokens().UndoEmailChange(undo_w.token_hash, kNow).value());
  EXPECT_FALSE(Usable("undo-b1"));
}

TEST_P(ContractTokens, RecoveryTokens_EndedByEmailChangePasswordResetAndDisable) {
  auto uid = VerifiedUser("pending", "p@example.org");
  Issue(Token(uid, Purpose::kRecovery, "p1"));
  ASSERT_TRUE(tokens().ChangeEmail(uid, "q@example.org", {}, {}, kNow));
  EXPECT_FALSE(Usable("p1"));
  Issue(Token(uid, Purpose::kRecovery, "p2"));
  ASSERT_TRUE(db().users().ResetPassword(uid, "$argon2id$other").value());
  EXPECT_FALSE(Usable("p2"));
  Issue(Token(uid, Purpose::kRecovery, "p3"));
  ASSERT_TRUE(db().users().SetDisabled(uid, kNow).value());
  EXPECT_FALSE(Usable("p3"));
}

TEST_P(ContractTokens, ResetPasswordWithToken_SetsHashEndsSessionsOnce) {
  auto uid = NewUser("resetter");
  ASSERT_TRUE(db().sessions().InsertSession(MakeSession(uid, "resetter-1"), nullptr));
  auto t = Token(uid, Purpose::kRecovery, "reset");
  Issue(t);
  auto r = tokens().ResetPasswordWithToken(t.token_hash, uid, "$new$hash", OneMail(uid), kNow);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(db().users().FindUserById(uid).value()->password_hash, "$new$hash");
  EXPECT_FALSE(Exists("resetter-0"));
  EXPECT_FALSE(Exists("resetter-1"));
  auto again = tokens().ResetPasswordWithToken(t.token_hash, uid, "$other", {}, kNow);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kInvalidToken);
  EXPECT_EQ(db().users().FindUserById(uid).value()->password_hash, "$new$hash");
}

TEST_P(ContractTokens, ResetPasswordWithToken_AnotherUsersToken_WritesNothing) {
  auto victim = NewUser("victim");
  auto holder = NewUser("holder");
  auto t = Token(holder, Purpose::kRecovery, "holder");
  Issue(t);
  auto r = tokens().ResetPasswordWithToken(t.token_hash, victim, "$x", {}, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidToken);
  EXPECT_TRUE(Exists("victim-0"));
  EXPECT_TRUE(Usable("holder"));  // the consume was rolled back
}

TEST_P(ContractTokens, CreateUserWithToken_UserSessionAndTokenTogether) {
  auto user = MakeUser("Newbie");
  user.email = "newbie@example.org";
  auto t = Token(identity::UserId(0), Purpose::kVerifyEmail, "newbie", EmailKey(user.email));
  auto first = MakeSession(identity::UserId(0), "newbie-s");
  auto created = tokens().CreateUserWithToken(user, &first, t, OneMail(identity::UserId(0)), kNow);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->email, "newbie@example.org");
  EXPECT_FALSE(created->email_verified);
  EXPECT_TRUE(Exists("newbie-s"));
  auto of = tokens().FindUsableTokenOf(created->id, Purpose::kVerifyEmail, kNow).value();
  ASSERT_TRUE(of);
  EXPECT_EQ(of->token_hash, t.token_hash);
  // A taken username writes nothing (the token's hash is free again).
  auto again = tokens().CreateUserWithToken(user, nullptr, t, {}, kNow);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kUsernameTaken);
}

}  // namespace
}  // namespace latchkey::testing

namespace latchkey::testing {
namespace {

TEST_P(ContractTokens, DeleteSpentTokensBefore_ConsumedOrExpiredOnlyUsableKept) {
  auto id = NewUser("pruned");
  Issue(Token(id, Purpose::kVerifyEmail, "p-verify"));
  Issue(Token(id, Purpose::kRecovery, "p-recovery"));
  Issue(
      Token(id, Purpose::kUndoEmailChange, "p-undo", "old@example.org", kNow + Seconds(72 * 3600)));
  ASSERT_TRUE(tokens()
                  .ConsumeToken(crypto::Sha256Hex("token-p-verify"), Purpose::kVerifyEmail,
                                kNow + Seconds(10))
                  .value());
  EXPECT_EQ(tokens().DeleteSpentTokensBefore(kNow + Seconds(10)).value(), 0);
  EXPECT_EQ(tokens().DeleteSpentTokensBefore(kNow + Seconds(11)).value(), 1);  // consumed
  EXPECT_EQ(tokens().DeleteSpentTokensBefore(kNow + Seconds(1800)).value(), 0);
  EXPECT_EQ(tokens().DeleteSpentTokensBefore(kNow + Seconds(1801)).value(), 1);  // expired
  // The undo link stays usable for its whole 72 h, whatever sweeps run meanwhile.
  EXPECT_EQ(tokens().DeleteSpentTokensBefore(kNow + Seconds(72 * 3600 - 1)).value(), 0);
  EXPECT_TRUE(Usable("p-undo", kNow + Seconds(72 * 3600 - 1)));
  EXPECT_EQ(tokens().DeleteSpentTokensBefore(kNow + Seconds(72 * 3600 + 1)).value(), 1);
}

}  // namespace
}  // namespace latchkey::testing
