#include "crypto/keyring.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <fstream>

#include "crypto/random.h"
#include "test_support.h"

namespace latchkey::crypto {
namespace {

Keyring MakeKeyring(std::initializer_list<std::string> keys) {
  std::vector<Secret> secrets;
  for (const auto& k : keys) secrets.emplace_back(k);
  return Keyring(std::move(secrets));
}

TEST(Keyring_Mac, VerifiesOnlyForSamePurposeAndData) {
  auto ring = MakeKeyring({std::string(32, 'k')});
  std::string mac = ring.Mac("session", "token");
  EXPECT_EQ(mac.size(), kMacBytes);
  EXPECT_TRUE(ring.Verify("session", "token", mac));
  EXPECT_FALSE(ring.Verify("csrf", "token", mac)) << "purpose is bound";
  EXPECT_FALSE(ring.Verify("session", "tokeN", mac));
  std::string flipped = mac;
  flipped[0] ^= 1;
  EXPECT_FALSE(ring.Verify("session", "token", flipped));
  EXPECT_FALSE(ring.Verify("session", "token", mac.substr(1)));
}

TEST(Keyring_Mac, IsHmacSha256OfPurposeNulData) {
  // The cookie and CSRF formats: HMAC-SHA256(key, purpose || 0x00 || data), checked against
  // libsodium's implementation so that values signed before the move to OpenSSL still verify.
  std::string key(32, 'k');
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  std::string input("session\0token", 13);
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(input.data()),
                                input.size());
  std::string want(kMacBytes, '\0');
  crypto_auth_hmacsha256_final(&st, reinterpret_cast<unsigned char*>(want.data()));
  EXPECT_EQ(MakeKeyring({key}).Mac("session", "token"), want);
}

TEST(Keyring_Rotation, OldKeyStillVerifiesNewestSigns) {
  auto old_ring = MakeKeyring({std::string(32, 'a')});
  auto rotated = MakeKeyring({std::string(32, 'a'), std::string(32, 'b')});
  auto new_only = MakeKeyring({std::string(32, 'b')});
  std::string old_mac = old_ring.Mac("session", "x");
  EXPECT_TRUE(rotated.Verify("session", "x", old_mac));
  EXPECT_TRUE(new_only.Verify("session", "x", rotated.Mac("session", "x")))
      << "new MACs use the newest key";
  EXPECT_FALSE(new_only.Verify("session", "x", old_mac)) << "a retired key no longer verifies";
}

TEST(Keyring_Construct, RejectsShortKeys) {
  EXPECT_THROW(MakeKeyring({std::string(31, 'k')}), std::invalid_argument);
  EXPECT_THROW(Keyring(std::vector<Secret>{}), std::invalid_argument);
}

TEST(Keyring_LoadOrCreate, CreatesOwnerOnlyFileAndReloadsSameKey) {
  testing::TempDir dir;
  auto file = dir.path() / "secret.key";
  auto first = Keyring::LoadOrCreate(file, true);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto second = Keyring::LoadOrCreate(file, false);
  EXPECT_TRUE(second.Verify("p", "d", first.Mac("p", "d")));
}

TEST(Keyring_LoadOrCreate, AppendNewKeyRotates) {
  testing::TempDir dir;
  auto file = dir.path() / "secret.key";
  auto before = Keyring::LoadOrCreate(file, true);
  Keyring::AppendNewKey(file);
  auto after = Keyring::LoadOrCreate(file, false);
  EXPECT_EQ(after.size(), 2u);
  EXPECT_TRUE(after.Verify("p", "d", before.Mac("p", "d")));
  EXPECT_FALSE(before.Verify("p", "d", after.Mac("p", "d")));
}

TEST(Keyring_LoadOrCreate, RefusesGroupReadableFileAndBadContent) {
  testing::TempDir dir;
  auto file = dir.path() / "secret.key";
  { std::ofstream(file) << "c2hvcnQ\n"; }
  ::chmod(file.c_str(), 0600);
  EXPECT_THROW(Keyring::LoadOrCreate(file, false), std::runtime_error) << "short key";
  ::chmod(file.c_str(), 0644);
  EXPECT_THROW(Keyring::LoadOrCreate(file, false), std::runtime_error) << "mode 0644";
  EXPECT_THROW(Keyring::LoadOrCreate(dir.path() / "missing", false), std::runtime_error);
}

}  // namespace
}  // namespace latchkey::crypto
