// PasswordPolicy (identity/password_policy.h): the common-password list and the username rule
// for new passwords, the list file, and both flows that set a password (signup, change).
#include "identity/password_policy.h"

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "flows_fixture.h"
#include "test_support.h"

namespace latchkey::identity {
namespace {

PasswordPolicy Policy() { return PasswordPolicy({"password1", "iloveyou1", "Qwertyuiop"}); }

TEST(PasswordPolicy_Table, RefusesCommonAndUsername) {
  struct Case {
    const char* label;
    std::string password;
    std::string username;
    const char* error;  // nullptr: accepted
  };
  std::vector<Case> cases = {
      {"on the list", "password1", "alice", "too common"},
      {"on the list, other case", "PassWord1", "alice", "too common"},
      {"list entry given upper case is folded", "qwertyuiop", "alice", "too common"},
      {"equal to the username", "alice.smith", "alice.smith", "username"},
      {"equal to the username, other case", "ALICE.Smith", "alice.smith", "username"},
      {"contains the username (allowed)", "alice.smith!2", "alice.smith", nullptr},
      {"list entry with a suffix (allowed)", "password1!", "alice", nullptr},
      {"not listed", "correct horse battery", "alice", nullptr},
      {"non-ASCII is not folded", "P\xc3\x84SSWORD1", "alice", nullptr},
      {"format rule first: 7 chars", "passwor", "passwor", "at least 8"},
      {"format rule first: LF", "password1\n", "alice", "NUL, CR or LF"},
  };
  PasswordPolicy policy = Policy();
  for (const auto& c : cases) {
    auto r = policy.Validate(c.password, c.username, "new_password");
    EXPECT_EQ(bool(r), c.error == nullptr) << c.label;
    if (!r && c.error != nullptr) {
      EXPECT_EQ(r.error().code, Errc::kInvalidInput) << c.label;
      EXPECT_EQ(r.error().field, "new_password") << c.label;
      EXPECT_NE(r.error().message.find(c.error), std::string::npos)
          << c.label << ": " << r.error().message;
    }
  }
}

TEST(PasswordPolicy_Default, NamesPasswordField) {
  auto r = Policy().Validate("password1", "bob");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "password");
  EXPECT_TRUE(PasswordPolicy().Validate("password1", "bob")) << "no list: only the other rules";
  EXPECT_FALSE(PasswordPolicy().Validate("bobbybobby", "BobbyBobby")) << "username rule stays";
}

TEST(PasswordPolicy_LoadFile, ReadsLinesFoldsCaseSkipsBlanksAndCr) {
  testing::TempDir dir;
  std::string path = (dir.path() / "list.txt").string();
  std::ofstream(path, std::ios::binary) << "password1\r\n\nLetMeIn123\nabc def ghi";
  PasswordPolicy policy = PasswordPolicy::LoadFile(path);
  EXPECT_EQ(policy.size(), 3u);
  EXPECT_TRUE(policy.IsCommon("password1"));
  EXPECT_TRUE(policy.IsCommon("letmein123"));
  EXPECT_TRUE(policy.IsCommon("ABC DEF GHI")) << "last line without a newline";
  EXPECT_FALSE(policy.IsCommon("password1\r"));
  EXPECT_FALSE(policy.IsCommon(""));
}

TEST(PasswordPolicy_LoadFile, MissingOrEmptyFileThrowsNamingIt) {
  testing::TempDir dir;
  std::string missing = (dir.path() / "nope.txt").string();
  std::string empty = (dir.path() / "empty.txt").string();
  std::ofstream(empty) << "\n\r\n";
  for (const auto& path : {missing, empty}) {
    try {
      PasswordPolicy::LoadFile(path);
      ADD_FAILURE() << path << ": no exception";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace latchkey::identity

namespace latchkey::flows {
namespace {

using NewPasswordTest = FlowsTest;

TEST_F(NewPasswordTest, Signup_CommonOrUsernamePassword_RefusedWithPasswordField) {
  for (const auto& [username, password] : std::vector<std::pair<std::string, std::string>>{
           {"alice", "password1"}, {"alice", "QWERTYUIOP"}, {"bobbybobby", "BobbyBobby"}}) {
    auto r = auth_.Signup({username, password, ""}, client_);
    ASSERT_FALSE(r) << password;
    EXPECT_EQ(r.error().code, Errc::kInvalidInput) << password;
    EXPECT_EQ(r.error().field, "password") << password;
    EXPECT_FALSE(auth_.Login({username, password}, nullptr, client_)) << "no user created";
  }
  EXPECT_TRUE(auth_.Signup({"alice", "password1 but longer", ""}, client_));
}

TEST_F(NewPasswordTest, ChangePassword_CommonOrUsername_RefusedBeforeAnyChange) {
  auto s = auth_.Signup({"carol.smith", "correct horse", ""}, client_);
  ASSERT_TRUE(s);
  for (const char* pw : {"password1", "iloveyou1", "Carol.Smith"}) {
    auto r = accounts_.ChangePassword(Caller(HashOf(*s)), "correct horse", pw, client_);
    ASSERT_FALSE(r) << pw;
    EXPECT_EQ(r.error().code, Errc::kInvalidInput) << pw;
    EXPECT_EQ(r.error().field, "new_password") << pw;
  }
  EXPECT_TRUE(Authenticate(HashOf(*s))) << "session kept";
  EXPECT_TRUE(auth_.Login({"carol.smith", "correct horse"}, nullptr, client_))
      << "old password still works";
  EXPECT_TRUE(
      accounts_.ChangePassword(Caller(HashOf(*s)), "correct horse", "a fine new one", client_));
}

}  // namespace
}  // namespace latchkey::flows
