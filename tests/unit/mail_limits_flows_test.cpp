// A resend without a session (EmailService::ResendFor) and the per-address mail limit
// (ThrottlePolicies::mail_address) of resends and recovery requests, on the FlowsTest node:
// one answer whatever the login names, a mail only for an account with an unverified address,
// and one budget per mailbox whichever account, login or case of the domain leads there.
#include <gtest/gtest.h>

#include "account_mail_support.h"

namespace latchkey::flows {
namespace {

using MailLimitsFlowsTest = AccountMailTest;

TEST_F(MailLimitsFlowsTest, ResendFor_UnknownVerifiedOrUnverified_SameAnswerMailOnlyForUnverified) {
  VerifiedUser("alice", "alice@example.org");
  ASSERT_TRUE(auth_.Signup({"bob", "correct horse", "", true, "bob@example.org"}, client_));
  ASSERT_TRUE(auth_.Signup({"carol", "correct horse", "", true, ""}, client_));
  std::string first = LastMail("verify_email")->token();
  long before = MailCount();
  for (const char* login : {"nobody", "alice", "carol", "bob@example.org", "alice@example.org"}) {
    EXPECT_TRUE(email_.ResendFor(login, client_)) << login;
  }
  EXPECT_EQ(MailCount(), before);  // unknown, verified, no address, or an address: nothing
  ASSERT_TRUE(email_.ResendFor("BOB", client_));  // the username, any case
  EXPECT_EQ(MailCount(), before + 1);
  auto mail = LastMail("verify_email");
  EXPECT_EQ(mail->recipient, "bob@example.org");
  EXPECT_EQ(email_.VerifyByToken(first, client_).error().code, Errc::kInvalidToken);  // replaced
  auto verified = email_.VerifyByToken(mail->token(), client_);
  ASSERT_TRUE(verified);
  EXPECT_TRUE(verified->email_verified);
}

TEST_F(MailLimitsFlowsTest, ResendFor_EmptyOrLongLogin_400FieldLogin) {
  for (const std::string& login : {std::string(), std::string(321, 'a')}) {
    auto r = email_.ResendFor(login, client_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::kInvalidInput);
    EXPECT_EQ(r.error().field, "login");
  }
}

TEST_F(MailLimitsFlowsTest, ResendFor_ThrottledPerLoginAlikeForKnownAndUnknown) {
  ASSERT_TRUE(auth_.Signup({"bob", "correct horse", "", true, "bob@example.org"}, client_));
  for (const char* login : {"bob", "nobody"}) {
    Result<void> last;
    int accepted = 0;
    for (int i = 0; i < 10 && (last = email_.ResendFor(login, client_)); ++i) ++accepted;
    ASSERT_FALSE(last) << login;
    EXPECT_EQ(last.error().code, Errc::kRateLimited) << login;
    EXPECT_EQ(accepted, 5) << login;
  }
}

TEST_F(MailLimitsFlowsTest, ResendFor_OneBudgetPerMailboxAcrossAccountsAndCase) {
  // Unverified addresses are not unique: three accounts name one mailbox, in two spellings.
  for (const char* name : {"user1", "user2", "user3"}) {
    std::string address =
        std::string(name) == "user2" ? "victim@EXAMPLE.org" : "victim@example.org";
    ASSERT_TRUE(auth_.Signup({name, "correct horse", "", true, address}, client_));
  }
  long before = MailCount();
  for (int round = 0; round < 4; ++round) {
    for (const char* name : {"user1", "user2", "user3"}) {
      EXPECT_TRUE(email_.ResendFor(name, client_)) << name;  // silent: always the same answer
    }
  }
  // 12 asked, at most 10 an hour to the mailbox (the signups' 3 do not count: not a resend).
  EXPECT_EQ(MailCount(), before + 10);
}

TEST_F(MailLimitsFlowsTest, RecoveryRequest_AlternatingLoginsAndCase_ShareTheBudget) {
  VerifiedUser("alice", "alice@example.org");
  long before = MailCount();
  for (const char* login : {"alice", "alice@EXAMPLE.ORG", "ALICE", "alice@example.org", "Alice",
                            "alice@Example.Org", "alice", "alice@example.org"}) {
    EXPECT_TRUE(recovery_.Request(login, client_)) << login;
  }
  EXPECT_EQ(MailCount(), before + 5);  // one account, one mailbox: 5 an hour, however typed
}

}  // namespace
}  // namespace latchkey::flows
