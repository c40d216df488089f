#include "app/transfer.h"

#include <gtest/gtest.h>

#include <sstream>

#include "store/sqlite/sqlite_database.h"
#include "test_support.h"

namespace latchkey::app {
namespace {

constexpr const char* kArgon =
    "$argon2id$v=19$m=19456,t=2,p=1$JuUAscifEVv1JEcs9vkCUQ$O5tNC7W4fweBjoF3pNYh8uxhyi+B0qX7Azn+"
    "JHmIEyw";
constexpr const char* kBcrypt = "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234";

std::string Line(const std::string& username, const std::string& hash = kArgon) {
  return R"({"username":")" + username + R"(","name":"N","password_hash":")" + hash +
         R"(","created_at":"2026-11-29T19:50:00Z"})";
}

class TransferTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  store::sqlite::SqliteDatabase from_{(dir_.path() / "a.db").string(), 1};
  store::sqlite::SqliteDatabase to_{(dir_.path() / "b.db").string(), 1};
};

TEST_F(TransferTest, ExportThenImportKeepsUsersAndHashes) {
  std::istringstream seed(Line("alice") + "\n" + Line("Bob", kBcrypt) + "\n");
  auto seeded = ImportUsers(from_, seed);
  EXPECT_EQ(seeded.imported, 2);
  std::ostringstream out;
  EXPECT_EQ(ExportUsers(from_, out), 2);
  EXPECT_EQ(out.str(), Line("alice") + "\n" + Line("Bob", kBcrypt) + "\n");

  std::istringstream in(out.str());
  auto summary = ImportUsers(to_, in);
  EXPECT_EQ(summary.imported, 2);
  EXPECT_EQ(summary.skipped, 0);
  auto bob = to_.users().FindUserByUsername("bob");
  ASSERT_TRUE(bob && *bob);
  EXPECT_EQ((*bob)->password_hash, kBcrypt);
  EXPECT_EQ((*bob)->user.username, "Bob");
  EXPECT_EQ((*bob)->created_at, FromUnixSeconds(1795981800));  // 2026-11-29T19:50:00Z

  std::istringstream again(out.str());
  summary = ImportUsers(to_, again);
  EXPECT_EQ(summary.imported, 0);
  EXPECT_EQ(summary.skipped, 2);
}

TEST_F(TransferTest, DisabledUserStaysDisabled) {
  const std::string disabled = R"({"username":"carol","name":"N","password_hash":")" +
                               std::string(kArgon) +
                               R"(","created_at":"2026-11-29T19:50:00Z","disabled_at":)"
                               R"("2026-11-30T06:00:00Z"})";
  std::istringstream seed(disabled + "\n" + Line("dave") + "\n");
  EXPECT_EQ(ImportUsers(from_, seed).imported, 2);
  std::ostringstream out;
  EXPECT_EQ(ExportUsers(from_, out), 2);
  EXPECT_EQ(out.str(), disabled + "\n" + Line("dave") + "\n") << "only a disabled user has it";
  std::istringstream in(out.str());
  EXPECT_EQ(ImportUsers(to_, in).imported, 2);
  auto carol = to_.users().FindUserByUsername("carol");
  ASSERT_TRUE(carol && *carol);
  EXPECT_EQ((*carol)->disabled_at, FromUnixSeconds(1796018400));  // 2026-11-30T06:00:00Z
  auto dave = to_.users().FindUserByUsername("dave");
  ASSERT_TRUE(dave && *dave);
  EXPECT_EQ((*dave)->disabled_at, FromUnixSeconds(0));

  std::istringstream bad(Line("erin").substr(0, Line("erin").size() - 1) +
                         R"(,"disabled_at":"yesterday"})");
  EXPECT_THROW(ImportUsers(to_, bad), std::invalid_argument);
}

TEST_F(TransferTest, BadLineIsNamedAndNothingIsWritten) {
  const std::string bad[] = {
      "not json",
      "[1]",
      R"({"username":"carol","name":"N","password_hash":"plaintext","created_at":"2026-11-29T19:50:00Z"})",
      R"({"username":"x","name":"N","password_hash":"$2b$12$abcdefghijklmnopqrstuuABCDEFGH","created_at":"2026-11-29T19:50:00Z"})",
      R"({"username":"carol","name":"N","password_hash":"$2b$12$abcdefghijklmnopqrstuuABCDEFGH","created_at":"yesterday"})",
      R"({"username":"carol","name":"N","password_hash":"$2b$12$abcdefghijklmnopqrstuuABCDEFGH"})",
      R"({"username":"carol","name":"N","password_hash":"$2b$12$abcdefghijklmnopqrstuuABCDEFGH","created_at":"2026-11-29T19:50:00Z","admin":true})",
      // A repeated key: the second username must not silently win.
      R"({"username":"carol","name":"N","password_hash":"$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234","created_at":"2026-11-29T19:50:00Z","username":"admin"})",
      Line("carol", "$2b$31$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"),  // cost 31
      Line("carol", "$2b$05$" + std::string(100000, 'a')),
      Line("carol", "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"),  // 4 GiB
      Line("carol", "$argon2id$v=19$m=19456,t=2,p=1$not base64$x"),
  };
  for (const std::string& line : bad) {
    std::istringstream in(Line("dave") + "\n\n" + line + "\n");
    try {
      ImportUsers(to_, in);
      ADD_FAILURE() << "accepted: " << line;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).rfind("line 3: ", 0), 0u) << e.what();
    }
    auto dave = to_.users().FindUserByUsername("dave");
    ASSERT_TRUE(dave);
    EXPECT_FALSE(*dave) << "written before the bad line was found: " << line;
  }
}

}  // namespace
}  // namespace latchkey::app
