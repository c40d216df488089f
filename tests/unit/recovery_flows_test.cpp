// RecoveryService (flows/recovery_service.h) on the FlowsTest node with a fake clock: no
// enumeration, single use, expiry, replacement, code budgets, every session ended, the sign-in
// step.
#include <gtest/gtest.h>

#include "account_mail_support.h"

namespace latchkey::flows {
namespace {

using RecoveryFlowsTest = AccountMailTest;

RecoveryInput ByToken(const std::string& token, std::string password = "brand new secret") {
  RecoveryInput in;
  in.token = token;
  in.new_password = Secret(std::move(password));
  return in;
}

RecoveryInput ByCode(const std::string& login, const std::string& code) {
  RecoveryInput in;
  in.login = login;
  in.code = code;
  in.new_password = Secret(std::string("brand new secret"));
  return in;
}

TEST_F(RecoveryFlowsTest, Request_UnknownUnverifiedOrKnown_SameAnswerMailOnlyForVerified) {
  auto unverified = auth_.Signup({"bob", "correct horse", "", true, "bob@example.org"}, client_);
  ASSERT_TRUE(unverified);
  VerifiedUser("alice", "alice@example.org");
  long before = MailCount();
  for (const char* login : {"nobody", "nobody@example.org", "bob", "bob@example.org"}) {
    auto r = recovery_.Request(login, client_);
    EXPECT_TRUE(r) << login;
  }
  EXPECT_EQ(MailCount(), before);  // nothing for unknown or unverified accounts
  ASSERT_TRUE(recovery_.Request("alice@example.org", client_));
  auto mail = LastMail();
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->kind, "recovery");
  EXPECT_EQ(mail->recipient, "alice@example.org");
  EXPECT_EQ(mail->variables.at("link").rfind(settings_.public_url + "/recover#token=", 0), 0u);
  ASSERT_TRUE(recovery_.Request("ALICE", client_));  // by username, any case
  EXPECT_EQ(MailCount(), before + 2);
}

TEST_F(RecoveryFlowsTest, Request_WithAQueue_AnswersFirstThenLooksUpAndMails) {
  VerifiedUser("alice", "alice@example.org");
  long before = MailCount();
  // The server's configuration: the account part after the answer (app::Node).
  RecoveryService queued(
      node_.store, node_.store, node_.store, node_.core.hasher, node_.issuer,
      Guards{node_.core.audit, node_.core.throttle, app::ThrottlePoliciesOf(settings_)}, passwords_,
      node_.minter, node_.account_mail, 4);
  ASSERT_TRUE(queued.Request("nobody", client_));
  ASSERT_TRUE(queued.Request("alice", client_));
  queued.Drain();
  EXPECT_EQ(MailCount(), before + 1);
  auto mail = LastMail("recovery");
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->recipient, "alice@example.org");
  // The visible limits still answer before the queue: empty input, then per login.
  auto empty = queued.Request("", client_);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().field, "login");
}

TEST_F(RecoveryFlowsTest, Complete_ByToken_SetsPasswordEndsEverySessionSignsIn) {
  auto first = VerifiedUser("alice", "alice@example.org");
  auto second = auth_.Login({"alice", "correct horse"}, nullptr, client_);
  ASSERT_TRUE(second);
  ASSERT_TRUE(recovery_.Request("alice", client_));
  auto done = recovery_.Complete(ByToken(LastMail("recovery")->token()), nullptr, client_);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->next, NextStep::kSessionNow);
  ASSERT_TRUE(done->login);
  EXPECT_FALSE(Authenticate(HashOf(first)));
  EXPECT_FALSE(Authenticate(HashOf(*second)));
  EXPECT_TRUE(Authenticate(HashOf(*done->login)));
  EXPECT_FALSE(auth_.Login({"alice", "correct horse"}, nullptr, client_));
  EXPECT_TRUE(auth_.Login({"alice", "brand new secret"}, nullptr, client_));
  auto notice = LastMail("password_reset_notice");
  ASSERT_TRUE(notice);
  EXPECT_EQ(notice->recipient, "alice@example.org");
}

TEST_F(RecoveryFlowsTest, Complete_TokenTwice_SecondInvalid) {
  VerifiedUser("alice", "alice@example.org");
  ASSERT_TRUE(recovery_.Request("alice", client_));
  std::string token = LastMail("recovery")->token();
  ASSERT_TRUE(recovery_.Complete(ByToken(token), nullptr, client_));
  auto again = recovery_.Complete(ByToken(token, "another new secret"), nullptr, client_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kInvalidToken);
  EXPECT_EQ(again.error().field, "token");
}

TEST_F(RecoveryFlowsTest, Complete_After30Minutes_Invalid) {
  VerifiedUser("alice", "alice@example.org");
  ASSERT_TRUE(recovery_.Request("alice", client_));
  std::string token = LastMail("recovery")->token();
  clock_.Advance(std::chrono::minutes(29) + std::chrono::seconds(59));
  // A refused password leaves the link working.
  auto weak = recovery_.Complete(ByToken(token, "password1"), nullptr, client_);
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error().field, "new_password");
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(recovery_.Complete(ByToken(token), nullptr, client_).error().code, Errc::kInvalidToken);
}

TEST_F(RecoveryFlowsTest, Request_Again_ReplacesTheEarlierLink) {
  VerifiedUser("alice", "alice@example.org");
  ASSERT_TRUE(recovery_.Request("alice", client_));
  std::string first = LastMail("recovery")->token();
  ASSERT_TRUE(recovery_.Request("alice", client_));
  std::string second = LastMail("recovery")->token();
  EXPECT_EQ(recovery_.Complete(ByToken(first), nullptr, client_).error().code, Errc::kInvalidToken);
  EXPECT_TRUE(recovery_.Complete(ByToken(second), nullptr, client_));
}

TEST_F(RecoveryFlowsTest, Complete_ByCodeWithLogin_Works) {
  VerifiedUser("alice", "alice@example.org");
  ASSERT_TRUE(recovery_.Request("alice@example.org", client_));
  std::string code = LastMail("recovery")->variables.at("code");
  auto done = recovery_.Complete(ByCode("alice@example.org", code), nullptr, client_);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_TRUE(done->login);
}

// A code other than the one of the newest recovery mail.
std::string WrongCode(const std::string& code) {
  return code == "0000 0000" ? "1111 1111" : "0000 0000";
}

TEST_F(RecoveryFlowsTest, Complete_WrongCodes_SpendTheCodeThenEvenTheRightOneIsRefused) {
  VerifiedUser("alice", "alice@example.org");
  ASSERT_TRUE(recovery_.Request("alice", client_));
  std::string code = LastMail("recovery")->variables.at("code");
  for (int i = 0; i < onetime::kCodeAttempts; ++i) {
    clock_.Advance(std::chrono::seconds(61));  // past the account throttle's delays
    auto bad = recovery_.Complete(ByCode("alice", WrongCode(code)), nullptr, client_);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::kInvalidToken);
    EXPECT_EQ(bad.error().field, "code");
  }
  clock_.Advance(std::chrono::seconds(61));
  EXPECT_EQ(recovery_.Complete(ByCode("alice", code), nullptr, client_).error().code,
            Errc::kInvalidToken);
  // The link of the same mail still works (once this address's throttle lets it try).
  clock_.Advance(std::chrono::minutes(15));
  EXPECT_TRUE(recovery_.Complete(ByToken(LastMail("recovery")->token()), nullptr, client_));
}

TEST_F(RecoveryFlowsTest, Complete_WrongCodes_AccountBudgetSurvivesNewRequests) {
  VerifiedUser("alice", "alice@example.org");
  int invalid = 0;
  bool limited = false;
  std::string code;
  for (int i = 0; i < 30 && !limited; ++i) {
    if (i % onetime::kCodeAttempts == 0) {
      ASSERT_TRUE(recovery_.Request("alice", client_)) << i;  // a fresh code each time
      code = LastMail("recovery")->variables.at("code");
    }
    clock_.Advance(std::chrono::seconds(61));
    // From a new address each time: only the account's budget is left to stop it.
    ClientInfo elsewhere{"10.0.0." + std::to_string(i + 1), "unit-test"};
    auto bad = recovery_.Complete(ByCode("alice", WrongCode(code)), nullptr, elsewhere);
    ASSERT_FALSE(bad);
    if (bad.error().code == Errc::kRateLimited) {
      limited = true;
    } else {
      EXPECT_EQ(bad.error().code, Errc::kInvalidToken);
      ++invalid;
    }
  }
  EXPECT_TRUE(limited);
  EXPECT_EQ(invalid, 20);  // ThrottlePolicies::one_time_code: 20 an hour, whatever the codes
}

TEST_F(RecoveryFlowsTest, Complete_CodeOfUnknownLogin_SameAnswerAsWrongCode) {
  auto r = recovery_.Complete(ByCode("nobody", "1234 5678"), nullptr, client_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidToken);
  EXPECT_EQ(r.error().field, "code");
  auto missing = recovery_.Complete(ByCode("", "1234 5678"), nullptr, client_);
  EXPECT_EQ(missing.error().field, "login");
}

TEST_F(RecoveryFlowsTest, Request_ThrottledPerLoginAlikeForKnownAndUnknown) {
  VerifiedUser("alice", "alice@example.org");
  for (const char* login : {"alice", "nobody"}) {
    Result<void> last;
    int accepted = 0;
    for (int i = 0; i < 10 && (last = recovery_.Request(login, client_)); ++i) ++accepted;
    ASSERT_FALSE(last) << login;
    EXPECT_EQ(last.error().code, Errc::kRateLimited) << login;
    EXPECT_EQ(accepted, 5) << login;
  }
}

TEST_F(RecoveryFlowsTest, Request_DisabledAccount_NoMail) {
  VerifiedUser("alice", "alice@example.org");
  ASSERT_TRUE(node_.core.admin.Disable("alice"));
  long before = MailCount();
  ASSERT_TRUE(recovery_.Request("alice", client_));
  EXPECT_EQ(MailCount(), before);
}

TEST_F(RecoveryFlowsTest, SignInStep_TodayAlwaysSessionNow) {
  identity::UserRecord user;
  EXPECT_EQ(AfterFirstFactor(user), NextStep::kSessionNow);
}

}  // namespace
}  // namespace latchkey::flows
