// Unicode passwords through the flows (docs/SECURITY.md "Unicode passwords"): every path that
// sets a password stores the hash of its RFC 8265 prepared form, every path that checks one
// prepares what was typed, and a hash made before (of the raw bytes a browser sent) still
// verifies and is replaced by a hash of the prepared form. Real SQLite store, fast hashing.
#include <gtest/gtest.h>

#include "flows/admin_service.h"
#include "flows/password_check.h"
#include "flows_fixture.h"

namespace latchkey::flows {
namespace {

// "Señor José über Ångström": the same password as a browser may send it either way.
const std::string kNfc = "Se\u00f1or Jos\u00e9 \u00fcber \u00c5ngstr\u00f6m";
const std::string kNfd = "Sen\u0303or Jose\u0301 u\u0308ber A\u030angstro\u0308m";

class UnicodePasswordTest : public FlowsTest {
 protected:
  Result<LoginResult> Login(const std::string& username, const std::string& password) {
    return auth_.Login({username, password, true}, nullptr, client_);
  }
  std::string StoredHash(const std::string& username) {
    return db_.users().FindUserByUsername(username).value()->password_hash;
  }
  // A user whose hash was made before passwords were prepared: of the raw bytes.
  identity::User AddLegacyUser(const std::string& username, const std::string& raw) {
    auto user = store_.CreateUser({username, "", hasher_.Hash(raw).value(), clock_.Now()});
    EXPECT_TRUE(user) << user.error().message;
    return *user;
  }

  AdminService admin_{store_, store_, hasher_, passwords_, audit_, clock_};
};

TEST_F(UnicodePasswordTest, Signup_SetAsNfc_LoginTypedAsNfd_Succeeds) {
  ASSERT_TRUE(auth_.Signup({"nora", kNfc, ""}, client_));
  auto r = Login("nora", kNfd);
  EXPECT_TRUE(r) << r.error().message;
  EXPECT_TRUE(hasher_.Verify(kNfc, StoredHash("nora"))) << "the hash is of the NFC form";
}

TEST_F(UnicodePasswordTest, Signup_SetAsNfd_LoginTypedAsNfc_Succeeds) {
  ASSERT_TRUE(auth_.Signup({"dora", kNfd, ""}, client_));
  auto r = Login("dora", kNfc);
  EXPECT_TRUE(r) << r.error().message;
  EXPECT_FALSE(hasher_.Verify(kNfd, StoredHash("dora"))) << "never the raw NFD bytes";
}

TEST_F(UnicodePasswordTest, Signup_NonAsciiSpace_MatchesAsciiSpace) {
  ASSERT_TRUE(auth_.Signup({"sam", "correct\u00a0horse\u3000battery", ""}, client_));
  EXPECT_TRUE(Login("sam", "correct horse battery"));
  EXPECT_FALSE(Login("sam", "correcthorsebattery")) << "spaces are mapped, not removed";
}

TEST_F(UnicodePasswordTest, Signup_NoCaseOrCompatibilityFolding) {
  ASSERT_TRUE(auth_.Signup({"fiona", "\ufb01nancial Plan", ""}, client_));
  EXPECT_FALSE(Login("fiona", "financial Plan")) << "U+FB01 stays distinct from \"fi\"";
  EXPECT_FALSE(Login("fiona", "\ufb01nancial plan")) << "case is not folded";
  EXPECT_TRUE(Login("fiona", "\ufb01nancial Plan"));
}

TEST_F(UnicodePasswordTest, Signup_RefusedCharactersAndLengthAfterNfc_NamePasswordField) {
  struct Case {
    const char* label;
    std::string password;
  };
  for (const Case& c : std::vector<Case>{
           {"TAB", "correct\thorse"},
           {"zero width space", "correct\u200bhorse"},
           {"private use", "correct\ue000horse"},
           {"unassigned", "correct\u0378horse"},
           // 11 code points as typed, 7 once composed: the length counts the prepared form.
           {"8 code points only in NFD", "e\u0301e\u0301e\u0301e\u0301abc"},
       }) {
    auto r = auth_.Signup({"tess", c.password, ""}, client_);
    ASSERT_FALSE(r) << c.label;
    EXPECT_EQ(r.error().code, Errc::kInvalidInput) << c.label;
    EXPECT_EQ(r.error().field, "password") << c.label;
  }
  EXPECT_FALSE(db_.users().FindUserByUsername("tess").value());
}

TEST_F(UnicodePasswordTest, Login_HashOfRawNfd_VerifiesAndIsRehashedToThePreparedForm) {
  identity::User user = AddLegacyUser("olga", kNfd);
  std::string before = StoredHash("olga");
  EXPECT_FALSE(Login("olga", kNfc)) << "before the rehash only the raw bytes match (as before)";
  EXPECT_EQ(StoredHash("olga"), before);

  auto r = Login("olga", kNfd);
  ASSERT_TRUE(r) << r.error().message;
  std::string after = StoredHash("olga");
  EXPECT_NE(after, before) << "rehashed";
  EXPECT_TRUE(hasher_.Verify(kNfc, after)) << "the new hash is of the prepared (NFC) form";
  EXPECT_FALSE(hasher_.Verify(kNfd, after));
  EXPECT_TRUE(Login("olga", kNfc)) << "now either encoding logs in";
  EXPECT_TRUE(Login("olga", kNfd));
  EXPECT_EQ(StoredHash("olga"), after) << "no further rehash";
  EXPECT_EQ(r->user.id, user.id);
}

TEST_F(UnicodePasswordTest, Login_HashOfRawNoBreakSpace_VerifiesAndIsRehashed) {
  AddLegacyUser("nbsp", "correct\u00a0horse");
  std::string before = StoredHash("nbsp");
  ASSERT_TRUE(Login("nbsp", "correct\u00a0horse"));
  EXPECT_NE(StoredHash("nbsp"), before);
  EXPECT_TRUE(Login("nbsp", "correct horse"));
}

TEST_F(UnicodePasswordTest, Login_WrongPasswordOnLegacyHash_NoRehash) {
  AddLegacyUser("olga", kNfd);
  std::string before = StoredHash("olga");
  auto r = Login("olga", "Sen\u0303or Jose\u0301 u\u0308ber A\u030angstro\u0308m!");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidCredentials);
  EXPECT_EQ(StoredHash("olga"), before);
}

TEST_F(UnicodePasswordTest, Login_LegacyPasswordWithRefusedCharacter_StillVerifies_NoRehash) {
  AddLegacyUser("tab", "correct\thorse");  // allowed before; preparation refuses TAB now
  std::string before = StoredHash("tab");
  EXPECT_TRUE(Login("tab", "correct\thorse"));
  EXPECT_FALSE(Login("tab", "correct horse"));
  EXPECT_EQ(StoredHash("tab"), before) << "nothing to rehash to";
}

TEST_F(UnicodePasswordTest, Login_RehashLosesToAConcurrentPasswordReset) {
  identity::User user = AddLegacyUser("rita", kNfd);
  auto record = db_.users().FindUserById(user.id).value();
  ASSERT_TRUE(record);
  // The operator resets the password after this login read the record, before it rehashes.
  ASSERT_TRUE(admin_.SetPassword("rita", "brand new password"));
  std::string reset = StoredHash("rita");
  EXPECT_TRUE(CheckPassword(hasher_, store_, Secret(kNfd), *record)) << "matched what it read";
  EXPECT_EQ(StoredHash("rita"), reset) << "the reset wins";
}

TEST_F(UnicodePasswordTest, ChangePassword_CurrentTypedAsNfd_NewStoredPrepared) {
  auto signup = auth_.Signup({"carl", kNfc, ""}, client_);
  ASSERT_TRUE(signup);
  const session::Principal& me = Caller(HashOf(*signup));
  const std::string new_nfd = "nouveau mot de passe tre\u0300s su\u0302r";
  auto r = accounts_.ChangePassword(me, kNfd, new_nfd, client_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(Login("carl", "nouveau mot de passe tr\u00e8s s\u00fbr"));
  EXPECT_TRUE(hasher_.Verify("nouveau mot de passe tr\u00e8s s\u00fbr", StoredHash("carl")));
}

TEST_F(UnicodePasswordTest, ChangePassword_CurrentMatchesLegacyHash_Succeeds) {
  auto signup = auth_.Signup({"lena", kNfc, ""}, client_);
  ASSERT_TRUE(signup);
  const session::Principal& me = Caller(HashOf(*signup));
  // Make the stored hash one of before: of the raw NFD bytes (sessions kept).
  ASSERT_TRUE(
      db_.users().RehashPassword(me.user_id(), StoredHash("lena"), hasher_.Hash(kNfd).value()));
  auto wrong = accounts_.ChangePassword(me, kNfc, "another password", client_);
  ASSERT_FALSE(wrong) << "only the raw bytes match a hash of before";
  EXPECT_EQ(wrong.error().field, "current_password");
  auto changed = accounts_.ChangePassword(me, kNfd, "another password", client_);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_TRUE(Login("lena", "another password"));
}

TEST_F(UnicodePasswordTest, RemoveAccount_PasswordTypedAsNfd_Succeeds) {
  auto signup = auth_.Signup({"remi", kNfc, ""}, client_);
  ASSERT_TRUE(signup);
  const session::Principal& me = Caller(HashOf(*signup));
  EXPECT_TRUE(auth_.RemoveAccount(me, kNfd, client_));
  EXPECT_FALSE(db_.users().FindUserByUsername("remi").value());
}

TEST_F(UnicodePasswordTest, Admin_AddAndSetPassword_StorePreparedForm) {
  ASSERT_TRUE(admin_.AddUser("ada", "", kNfd));
  EXPECT_TRUE(Login("ada", kNfc));
  ASSERT_TRUE(admin_.SetPassword("ada", "pass\u2003phrase\u00a0one"));
  EXPECT_TRUE(Login("ada", "pass phrase one"));
  auto refused = admin_.SetPassword("ada", "pass\tphrase one");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "password");
}

TEST_F(UnicodePasswordTest, CommonList_NfdEntryMatchesNfcPassword) {
  identity::PasswordPolicy policy({"moti\u0301vaci\u00f3n1"});  // entry half NFD
  auto r = policy.PrepareNew("mot\u00edvaci\u00f3n1", "ana");
  EXPECT_FALSE(r) << "a new password of the NFC form of a listed one is refused";
  r = policy.PrepareNew("moti\u0301vacio\u0301n1", "ana");
  EXPECT_FALSE(r) << "and of any other encoding of it";
  EXPECT_TRUE(policy.PrepareNew("motivacion1", "ana")) << "without the accents: another word";
}

}  // namespace
}  // namespace latchkey::flows
