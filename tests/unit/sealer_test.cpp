#include "crypto/sealer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <set>

#include "crypto/encoding.h"
#include "test_support.h"

namespace latchkey::crypto {
namespace {

Sealer MakeSealer(std::initializer_list<std::string> keys) {
  std::vector<Secret> secrets;
  for (const auto& k : keys) secrets.emplace_back(k);
  return Sealer(std::move(secrets));
}

const std::string kA(32, 'a');
const std::string kB(32, 'b');

TEST(Sealer_Seal, RoundTripsAnyBytes) {
  auto sealer = MakeSealer({kA});
  for (std::string plain : {std::string(), std::string("x"), std::string("a\0b", 3),
                            std::string(4000, 'z'), std::string("{\"token\":\"t\"}")}) {
    std::string sealed = sealer.Seal("mail", plain);
    EXPECT_TRUE(sealed.starts_with("v1.")) << sealed;
    auto opened = sealer.Open("mail", sealed);
    ASSERT_TRUE(opened) << plain.size();
    EXPECT_EQ(opened->Reveal(), plain);
  }
}

TEST(Sealer_Seal, FreshNonceEachTime_PlaintextNotVisible) {
  auto sealer = MakeSealer({kA});
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) seen.insert(sealer.Seal("mail", "secret-token-value"));
  EXPECT_EQ(seen.size(), 50u) << "a random nonce per message";
  std::string sealed = *seen.begin();
  EXPECT_EQ(sealed.find("secret-token-value"), std::string::npos);
  auto raw = Base64UrlDecode(std::string_view(sealed).substr(3));
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->size(), 4 + 24 + std::string("secret-token-value").size() + 16);
  EXPECT_EQ(raw->find("secret-token-value"), std::string::npos);
}

TEST(Sealer_Open, RefusesTamperedValues) {
  auto sealer = MakeSealer({kA});
  std::string sealed = sealer.Seal("mail", "payload");
  auto raw = Base64UrlDecode(std::string_view(sealed).substr(3)).value();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    std::string changed = raw;
    changed[i] ^= 0x01;
    EXPECT_FALSE(sealer.Open("mail", "v1." + Base64UrlEncode(changed))) << "byte " << i;
  }
  EXPECT_FALSE(sealer.Open("mail", "v1." + Base64UrlEncode(raw.substr(0, raw.size() - 1))));
  EXPECT_FALSE(sealer.Open("mail", "v2." + Base64UrlEncode(raw))) << "unknown version";
  EXPECT_FALSE(sealer.Open("mail", "")) << "empty";
  EXPECT_FALSE(sealer.Open("mail", "v1.")) << "too short";
  EXPECT_FALSE(sealer.Open("mail", "v1.!!!")) << "not base64url";
  EXPECT_TRUE(sealer.Open("mail", "v1." + Base64UrlEncode(raw))) << "the untouched value";
}

TEST(Sealer_Open, RefusesAnotherPurpose) {
  auto sealer = MakeSealer({kA});
  std::string sealed = sealer.Seal("mail", "payload");
  EXPECT_FALSE(sealer.Open("totp", sealed));
  EXPECT_FALSE(sealer.Open("mai", sealed));
  EXPECT_FALSE(sealer.Open("", sealed));
}

TEST(Sealer_Rotation, OldKeyOpensNewestSealsUnknownRefused) {
  auto old_only = MakeSealer({kA});
  auto rotated = MakeSealer({kA, kB});
  auto new_only = MakeSealer({kB});
  std::string old_value = old_only.Seal("mail", "before");
  auto opened = rotated.Open("mail", old_value);
  ASSERT_TRUE(opened) << "an old key still opens";
  EXPECT_EQ(opened->Reveal(), "before");
  EXPECT_FALSE(rotated.IsCurrent(old_value));
  std::string new_value = rotated.Seal("mail", "after");
  EXPECT_TRUE(rotated.IsCurrent(new_value));
  EXPECT_TRUE(new_only.Open("mail", new_value)) << "new values use the newest key";
  EXPECT_FALSE(new_only.Open("mail", old_value)) << "a key it does not hold";
  EXPECT_FALSE(rotated.IsCurrent("garbage"));
}

TEST(Sealer_Rotation, ResealMovesAValueToTheNewestKey) {
  auto old_only = MakeSealer({kA});
  auto rotated = MakeSealer({kA, kB});
  std::string resealed = rotated.Reseal("mail", old_only.Seal("mail", "x")).value();
  EXPECT_TRUE(rotated.IsCurrent(resealed));
  EXPECT_EQ(MakeSealer({kB}).Open("mail", resealed)->Reveal(), "x");
  EXPECT_FALSE(rotated.Reseal("totp", old_only.Seal("mail", "x"))) << "purpose still bound";
}

TEST(Sealer_Keys, DerivedApartFromTheRawLine) {
  // The AEAD key is derived from the line: a value sealed under the raw line by a plain
  // XChaCha20-Poly1305 call must not open (so secret.key lines never serve both uses as is).
  auto sealer = MakeSealer({kA});
  EXPECT_EQ(sealer.key_ids().size(), 1u);
  EXPECT_EQ(sealer.key_ids()[0].size(), 8u);
  EXPECT_NE(MakeSealer({kA}).key_ids()[0], MakeSealer({kB}).key_ids()[0]);
  EXPECT_THROW(MakeSealer({std::string(31, 'a')}), std::invalid_argument);
  EXPECT_THROW(Sealer(std::vector<Secret>{}), std::invalid_argument);
}

TEST(Sealer_File, CreatesOwnerOnlyFileAppendsAndReloads) {
  testing::TempDir dir;
  auto file = dir.path() / "seal.key";
  EXPECT_THROW(Sealer::LoadOrCreate(file, false), std::runtime_error) << "missing, no create";
  auto first = Sealer::LoadOrCreate(file, true);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::string sealed = first.Seal("mail", "kept");
  EXPECT_EQ(Sealer::LoadOrCreate(file, false).Open("mail", sealed)->Reveal(), "kept");
  Sealer::AppendNewKey(file);
  auto after = Sealer::LoadOrCreate(file, false);
  EXPECT_EQ(after.size(), 2u);
  EXPECT_EQ(after.Open("mail", sealed)->Reveal(), "kept") << "old key kept for opening";
  EXPECT_FALSE(after.IsCurrent(sealed));
  EXPECT_TRUE(after.IsCurrent(after.Seal("mail", "new")));
}

TEST(Sealer_File, RefusesGroupReadableAndBadLines) {
  testing::TempDir dir;
  auto file = dir.path() / "seal.key";
  Sealer::LoadOrCreate(file, true);
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  EXPECT_THROW(Sealer::LoadOrCreate(file, false), std::runtime_error);
  auto bad = dir.path() / "bad.key";
  std::ofstream(bad) << Base64UrlEncode(std::string(16, 'x')) << "\n";
  ASSERT_EQ(::chmod(bad.c_str(), 0600), 0);
  EXPECT_THROW(Sealer::LoadOrCreate(bad, false), std::runtime_error) << "a 16-byte key";
}

}  // namespace
}  // namespace latchkey::crypto
