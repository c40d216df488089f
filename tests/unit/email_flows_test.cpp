// EmailService and signup with an address (flows/email_service.h), on the FlowsTest node with
// a fake clock; the tokens and codes come from the queued mails.
#include <gtest/gtest.h>

#include "account_mail_support.h"

namespace latchkey::flows {
namespace {

using EmailFlowsTest = AccountMailTest;

TEST_F(EmailFlowsTest, Signup_WithEmail_MailsLinkAndCodeFromPublicUrl) {
  auto r = auth_.Signup({"alice", "correct horse", "", true, "Alice@Example.ORG"}, client_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->user.email, "Alice@Example.ORG");
  EXPECT_FALSE(r->user.email_verified);
  auto mail = LastMail();
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->kind, "verify_email");
  EXPECT_EQ(mail->recipient, "Alice@Example.ORG");
  EXPECT_EQ(mail->variables.at("link").rfind(settings_.public_url + "/verify-email#token=", 0), 0u);
  EXPECT_EQ(mail->variables.at("code").size(), 9u);  // "1234 5678"
  EXPECT_TRUE(onetime::LooksLikeToken(mail->token()));
}

TEST_F(EmailFlowsTest, Signup_InvalidEmail_400FieldEmailNothingCreated) {
  auto r = auth_.Signup({"alice", "correct horse", "", true, "not-an-address"}, client_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidInput);
  EXPECT_EQ(r.error().field, "email");
  EXPECT_FALSE(store_.FindUserByUsername("alice").value());
  EXPECT_EQ(MailCount(), 0);
}

TEST_F(EmailFlowsTest, VerifyByToken_VerifiesOnceThenInvalid) {
  ASSERT_TRUE(auth_.Signup({"alice", "correct horse", "", true, "a@example.org"}, client_));
  std::string token = LastMail()->token();
  auto v = email_.VerifyByToken(token, client_);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->email_verified);
  auto again = email_.VerifyByToken(token, client_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kInvalidToken);
  EXPECT_EQ(again.error().field, "token");
  EXPECT_EQ(email_.VerifyByToken("garbage", client_).error().code, Errc::kInvalidToken);
}

TEST_F(EmailFlowsTest, VerifyByToken_After24Hours_Invalid) {
  ASSERT_TRUE(auth_.Signup({"alice", "correct horse", "", true, "a@example.org"}, client_));
  std::string token = LastMail()->token();
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(email_.VerifyByToken(token, client_).error().code, Errc::kInvalidToken);
}

TEST_F(EmailFlowsTest, VerifyByCode_RightCodeVerifies_SessionShowsIt) {
  auto r = auth_.Signup({"alice", "correct horse", "", true, "a@example.org"}, client_);
  ASSERT_TRUE(r);
  auto hash = HashOf(*r);
  auto v = email_.VerifyByCode(Caller(hash), LastMail()->variables.at("code"), client_);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->email_verified);
  // The cached session was evicted: the next resolution reads the verified address.
  auto me = Authenticate(hash);
  ASSERT_TRUE(me);
  EXPECT_TRUE(me->user().email_verified);
}

TEST_F(EmailFlowsTest, VerifyByCode_BudgetPerCode_ThenTheRightCodeIsRefused) {
  auto r = auth_.Signup({"alice", "correct horse", "", true, "a@example.org"}, client_);
  ASSERT_TRUE(r);
  auto hash = HashOf(*r);
  std::string code = LastMail()->variables.at("code");
  std::string wrong = code == "0000 0000" ? "1111 1111" : "0000 0000";
  for (int i = 0; i < onetime::kCodeAttempts; ++i) {
    auto bad = email_.VerifyByCode(Caller(hash), wrong, client_);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::kInvalidToken);
    EXPECT_EQ(bad.error().field, "code");
    clock_.Advance(std::chrono::minutes(2));  // past the throttle's delays
  }
  EXPECT_EQ(email_.VerifyByCode(Caller(hash), code, client_).error().code, Errc::kInvalidToken);
}

TEST_F(EmailFlowsTest, VerifyByCode_AccountBudgetSurvivesResend) {
  auto r = auth_.Signup({"alice", "correct horse", "", true, "a@example.org"}, client_);
  ASSERT_TRUE(r);
  auto hash = HashOf(*r);
  // Five wrong codes, a new mail, five more: the account's throttle now locks (429) even
  // though the new code has its own budget left.
  bool limited = false;
  for (int round = 0; round < 2 && !limited; ++round) {
    ASSERT_TRUE(email_.Resend(Caller(hash), client_));
    std::string code = LastMail("verify_email")->variables.at("code");
    std::string wrong = code == "0000 0000" ? "1111 1111" : "0000 0000";
    for (int i = 0; i < onetime::kCodeAttempts; ++i) {
      auto bad = email_.VerifyByCode(Caller(hash), wrong, client_);
      ASSERT_FALSE(bad);
      if (bad.error().code == Errc::kRateLimited) {
        limited = true;
        break;
      }
    }
  }
  EXPECT_TRUE(limited);
}

TEST_F(EmailFlowsTest, Resend_ReplacesTheEarlierLink) {
  auto r = auth_.Signup({"alice", "correct horse", "", true, "a@example.org"}, client_);
  ASSERT_TRUE(r);
  std::string first = LastMail()->token();
  ASSERT_TRUE(email_.Resend(Caller(HashOf(*r)), client_));
  std::string second = LastMail()->token();
  EXPECT_NE(first, second);
  EXPECT_EQ(email_.VerifyByToken(first, client_).error().code, Errc::kInvalidToken);
  EXPECT_TRUE(email_.VerifyByToken(second, client_));
  // Verified: nothing left to resend.
  auto again = email_.Resend(Caller(HashOf(*r)), client_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().field, "email");
}

TEST_F(EmailFlowsTest, Resend_ThrottledPerAccount) {
  auto r = auth_.Signup({"alice", "correct horse", "", true, "a@example.org"}, client_);
  ASSERT_TRUE(r);
  Result<void> last;
  int sent = 0;
  for (int i = 0; i < 20 && (last = email_.Resend(Caller(HashOf(*r)), client_)); ++i) ++sent;
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, Errc::kRateLimited);
  EXPECT_EQ(sent, 10);  // 10 mails about addresses per account an hour
}

TEST_F(EmailFlowsTest, ChangeVerifiedAddress_NotifiesOldWithUndo_UndoRestoresAndEndsSessions) {
  auto r = VerifiedUser("alice", "old@example.org");
  auto hash = HashOf(r);
  auto changed = email_.SetEmail(Caller(hash), "new@example.org", "correct horse", client_);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->email, "new@example.org");
  EXPECT_FALSE(changed->email_verified);
  auto notice = LastMail("email_changed");
  ASSERT_TRUE(notice);
  EXPECT_EQ(notice->recipient, "old@example.org");
  EXPECT_EQ(notice->variables.at("new_email"), "new@example.org");
  EXPECT_EQ(notice->variables.at("link").rfind(settings_.public_url + "/undo-email#token=", 0), 0u);
  EXPECT_EQ(LastMail("verify_email")->recipient, "new@example.org");

  clock_.Advance(std::chrono::hours(71));
  auto undone = email_.Undo(notice->token(), client_);
  ASSERT_TRUE(undone) << undone.error().message;
  EXPECT_EQ(undone->email, "old@example.org");
  EXPECT_TRUE(undone->email_verified);
  EXPECT_FALSE(Authenticate(hash));  // every session ended
  // ...and the password stopped working: an ordinary wrong-password answer, until recovery.
  auto login = auth_.Login({"alice", "correct horse"}, nullptr, client_);
  ASSERT_FALSE(login);
  EXPECT_EQ(login.error().code, Errc::kInvalidCredentials);
}

TEST_F(EmailFlowsTest, SetEmail_WithoutTheRightPassword_ChangesNothingMailsNothing) {
  auto r = VerifiedUser("alice", "old@example.org");
  int mails = MailCount();
  for (const char* to : {"evil@example.org", ""}) {
    auto missing = email_.SetEmail(Caller(HashOf(r)), to, "", client_);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::kInvalidInput);
    EXPECT_EQ(missing.error().field, "current_password");
    auto wrong = email_.SetEmail(Caller(HashOf(r)), to, "wrong horse", client_);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, Errc::kInvalidCredentials);
    EXPECT_EQ(wrong.error().field, "current_password");
  }
  auto user = store_.FindUserByUsername("alice").value();
  ASSERT_TRUE(user);
  EXPECT_EQ(user->user.email, "old@example.org");
  EXPECT_TRUE(user->user.email_verified);
  EXPECT_EQ(MailCount(), mails);
}

TEST_F(EmailFlowsTest, SetEmail_OnlyTheDomainsCase_StaysVerifiedMailsNothing) {
  auto r = VerifiedUser("alice", "Alice@example.org");
  int mails = MailCount();
  auto respelt = email_.SetEmail(Caller(HashOf(r)), "Alice@Example.ORG", "correct horse", client_);
  ASSERT_TRUE(respelt) << respelt.error().message;
  EXPECT_EQ(respelt->email, "Alice@Example.ORG");
  EXPECT_TRUE(respelt->email_verified);
  EXPECT_EQ(MailCount(), mails);
  EXPECT_TRUE(Authenticate(HashOf(r)));
  // The local part is the receiving host's: another case there is another address.
  auto other = email_.SetEmail(Caller(HashOf(r)), "alice@example.org", "correct horse", client_);
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->email_verified);
  EXPECT_EQ(LastMail("email_changed")->recipient, "Alice@Example.ORG");
}

TEST_F(EmailFlowsTest, Undo_After72Hours_Invalid) {
  auto r = VerifiedUser("alice", "old@example.org");
  ASSERT_TRUE(email_.SetEmail(Caller(HashOf(r)), "new@example.org", "correct horse", client_));
  std::string token = LastMail("email_changed")->token();
  clock_.Advance(std::chrono::hours(72));
  EXPECT_EQ(email_.Undo(token, client_).error().code, Errc::kInvalidToken);
}

TEST_F(EmailFlowsTest, SetEmail_UnverifiedOldAddress_NotNotified) {
  auto r = auth_.Signup({"alice", "correct horse", "", true, "old@example.org"}, client_);
  ASSERT_TRUE(r);
  ASSERT_TRUE(email_.SetEmail(Caller(HashOf(*r)), "new@example.org", "correct horse", client_));
  EXPECT_FALSE(LastMail("email_changed"));
}

TEST_F(EmailFlowsTest, VerifyAddressVerifiedByAnother_EmailTaken) {
  VerifiedUser("alice", "shared@example.org");
  auto bob = auth_.Signup({"bob", "correct horse", "", true, "shared@EXAMPLE.ORG"}, client_);
  ASSERT_TRUE(bob);
  auto r = email_.VerifyByToken(LastMail("verify_email")->token(), client_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kEmailTaken);
}

}  // namespace
}  // namespace latchkey::flows
