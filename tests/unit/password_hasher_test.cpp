#include "crypto/password_hasher.h"

#include <crypt.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "test_support.h"

namespace latchkey::crypto {
namespace {

PasswordHashParams Bcrypt(int cost) {
  PasswordHashParams p;
  p.algorithm = PasswordAlgorithm::kBcrypt;
  p.bcrypt_cost = cost;
  return p;
}

// A plain $2b$ hash made directly with libxcrypt, as another system would store it.
std::string PlainBcrypt(const std::string& password) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, setting, sizeof setting), nullptr);
  auto data = std::make_unique<crypt_data>();
  return crypt_rn(password.c_str(), setting, data.get(), sizeof(crypt_data));
}

class PasswordHasherTest : public ::testing::Test {
 protected:
  testing::TempDir init_sodium_;
};

TEST_F(PasswordHasherTest, Argon2id_DefaultParams_AreOwaspMinimumAndVerify) {
  PasswordHasher hasher({});
  auto hash = hasher.Hash("correct horse battery");
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *hash;
  EXPECT_TRUE(hasher.Verify("correct horse battery", *hash));
  EXPECT_FALSE(hasher.Verify("correct horse batterY", *hash));
  EXPECT_NE(*hasher.Hash("correct horse battery"), *hash) << "salted";
}

TEST_F(PasswordHasherTest, Bcrypt_Cost12_WritesPrehashedFormat) {
  PasswordHasher hasher(Bcrypt(12));
  auto hash = hasher.Hash("correct horse battery");
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->rfind("$bcrypt-sha256$$2b$12$", 0), 0u) << *hash;
  EXPECT_TRUE(hasher.Verify("correct horse battery", *hash));
  EXPECT_FALSE(hasher.Verify("correct horse batterx", *hash));
}

TEST_F(PasswordHasherTest, Bcrypt_LongPasswords_AreNotTruncated) {
  PasswordHasher hasher(Bcrypt(4));
  std::string base(72, 'x');
  auto hash = hasher.Hash(base + "tail-one");
  ASSERT_TRUE(hash);
  EXPECT_TRUE(hasher.Verify(base + "tail-one", *hash));
  EXPECT_FALSE(hasher.Verify(base + "tail-two", *hash)) << "bytes after 72 count";
  EXPECT_FALSE(hasher.Verify(base, *hash));
}

TEST_F(PasswordHasherTest, Bcrypt_NulBytes_Count) {
  PasswordHasher hasher(Bcrypt(4));
  std::string with_nul("abcdefgh\0one", 12);
  auto hash = hasher.Hash(with_nul);
  ASSERT_TRUE(hash);
  EXPECT_TRUE(hasher.Verify(with_nul, *hash));
  EXPECT_FALSE(hasher.Verify(std::string("abcdefgh\0two", 12), *hash));
}

TEST_F(PasswordHasherTest, PlainBcrypt_VerifiesAndRefusesOver72Bytes) {
  PasswordHasher hasher({});
  std::string base(72, 'y');
  std::string plain = PlainBcrypt("password123");
  EXPECT_TRUE(hasher.Verify("password123", plain)) << "imported $2b$ hashes verify";
  EXPECT_FALSE(hasher.Verify("password124", plain));
  std::string long_plain = PlainBcrypt(base);
  EXPECT_TRUE(hasher.Verify(base, long_plain));
  EXPECT_FALSE(hasher.Verify(base + "z", long_plain)) << "no silent truncation at 72 bytes";
}

TEST_F(PasswordHasherTest, BothFormats_AlwaysVerify) {
  PasswordHasher argon({});
  PasswordHasher bcrypt(Bcrypt(4));
  auto a = argon.Hash("same password");
  auto b = bcrypt.Hash("same password");
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(bcrypt.Verify("same password", *a));
  EXPECT_TRUE(argon.Verify("same password", *b));
}

TEST_F(PasswordHasherTest, UnknownOrMalformedFormats_Fail) {
  PasswordHasher hasher({});
  for (const char* stored : {"", "plaintext", "$argon2id$garbage", "$bcrypt-sha256$nope",
                             "$bcrypt-sha256$$2b$04$short", "$1$md5$x"}) {
    EXPECT_FALSE(hasher.Verify("password", stored)) << stored;
  }
  EXPECT_FALSE(hasher.VerifyDummy("password"));
}

// An unusable password (identity::kUnusablePasswordHash, "!") matches nothing, in about the
// time of a wrong password: a login cannot tell that the account's password was turned off.
TEST_F(PasswordHasherTest, UnusableMarker_FailsInTheTimeOfAWrongPassword) {
  PasswordHasher hasher({});
  auto hash = hasher.Hash("the password");
  ASSERT_TRUE(hash);
  auto fastest = [](auto&& verify) {
    auto best = std::chrono::steady_clock::duration::max();
    for (int i = 0; i < 3; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      verify();
      best = std::min(best, std::chrono::steady_clock::now() - t0);
    }
    return best;
  };
  auto wrong = fastest([&] { EXPECT_FALSE(hasher.Verify("wrong password", *hash)); });
  auto unusable = fastest([&] {
    for (const char* typed : {"the password", "!", ""}) EXPECT_FALSE(hasher.Verify(typed, "!"));
  });
  EXPECT_GE(unusable * 2, wrong);
  EXPECT_FALSE(IsSupportedHash("!"));  // never written by the hasher, never imported as a hash
}

TEST(PasswordAlgorithm_Parse, AcceptsKnownNamesOnly) {
  PasswordAlgorithm a;
  EXPECT_TRUE(ParsePasswordAlgorithm("argon2id", a));
  EXPECT_EQ(a, PasswordAlgorithm::kArgon2id);
  EXPECT_TRUE(ParsePasswordAlgorithm("bcrypt", a));
  EXPECT_EQ(a, PasswordAlgorithm::kBcrypt);
  EXPECT_FALSE(ParsePasswordAlgorithm("md5", a));
}

TEST(IsSupportedHash, AcceptsWhatWeWriteAndBoundsWorkFactors) {
  PasswordHasher argon(PasswordHashParams{});
  PasswordHashParams b;
  b.algorithm = PasswordAlgorithm::kBcrypt;
  b.bcrypt_cost = 4;
  PasswordHasher bcrypt(b);
  EXPECT_TRUE(IsSupportedHash(*argon.Hash("correct horse")));
  EXPECT_TRUE(IsSupportedHash(*bcrypt.Hash("correct horse")));
  EXPECT_TRUE(IsSupportedHash("$2y$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"));
  for (std::string bad : {std::string("plaintext"), std::string("$2b$31$") + std::string(53, 'a'),
                          std::string("$2b$12$") + std::string(52, 'a'),
                          std::string("$2b$12$") + std::string(52, 'a') + "!",
                          std::string("$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaA"),
                          std::string("$argon2id$v=19$m=19456,t=99,p=1$c2FsdHNhbHQ$aGFzaA"),
                          std::string("$argon2id$garbage")}) {
    EXPECT_FALSE(IsSupportedHash(bad)) << bad;
  }
}

}  // namespace
}  // namespace latchkey::crypto
