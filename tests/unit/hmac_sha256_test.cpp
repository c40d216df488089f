#include "crypto/hmac_sha256.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <string>
#include <thread>
#include <vector>

#include "crypto/encoding.h"

namespace latchkey::crypto {
namespace {

using Mac = std::array<unsigned char, kHmacSha256Bytes>;

std::string Hex(const Mac& mac) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::string Compute(const HmacSha256Keys& keys, std::size_t index,
                    std::initializer_list<std::string_view> parts) {
  Mac mac;
  keys.Compute(index, parts, mac);
  return Hex(mac);
}

// libsodium's independent implementation, for cross-checks.
std::string SodiumHmac(std::string_view key, std::string_view data) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  Mac mac;
  crypto_auth_hmacsha256_final(&st, mac.data());
  return Hex(mac);
}

HmacSha256Keys Keys(std::initializer_list<std::string> keys) {
  std::vector<Secret> secrets;
  for (const auto& k : keys) secrets.emplace_back(k);
  return HmacSha256Keys(std::move(secrets));
}

TEST(HmacSha256_Rfc4231, TestCases1And2) {
  auto keys = Keys({std::string(20, '\x0b'), "Jefe"});
  EXPECT_EQ(Compute(keys, 0, {"Hi There"}),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(Compute(keys, 1, {"what do ya want for nothing?"}),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(Compute(keys, 0, {"Hi There"}),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
      << "a re-initialised context starts from the key, not from the last message";
}

TEST(HmacSha256_Rfc4231, KeysLongerThanABlockAreHashedFirst) {
  // RFC 4231 test cases 6 and 7: a 131-byte key, hashed to 32 bytes before padding.
  auto keys = Keys({std::string(131, '\xaa')});
  EXPECT_EQ(Compute(keys, 0, {"Test Using Larger Than Block-Size Key - Hash Key First"}),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(Compute(keys, 0,
                    {"This is a test using a larger than block-size key and a larger than "
                     "block-size data. The key needs to be hashed before being used by the "
                     "HMAC algorithm."}),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  // Exactly one block (64 bytes) is used as it is, not hashed.
  EXPECT_EQ(Compute(Keys({std::string(64, 'b')}), 0, {"m"}), SodiumHmac(std::string(64, 'b'), "m"));
  EXPECT_EQ(Compute(Keys({std::string(65, 'b')}), 0, {"m"}), SodiumHmac(std::string(65, 'b'), "m"));
}

TEST(HmacSha256_Keys, AnIndexPastTheSetThrows) {
  auto keys = Keys({std::string(32, 'k')});
  Mac mac;
  EXPECT_THROW(keys.Compute(1, {"x"}, mac), std::out_of_range);
}

TEST(HmacSha256_Parts, AreConcatenated) {
  auto keys = Keys({std::string(32, 'k')});
  EXPECT_EQ(Compute(keys, 0, {"ses", "", "sion", "data"}), Compute(keys, 0, {"sessiondata"}));
  EXPECT_EQ(Compute(keys, 0, {}), SodiumHmac(std::string(32, 'k'), ""));
}

TEST(HmacSha256_KeySets, ManySetsUsedInTurnsEachUseTheirOwnKey) {
  // Several key sets alive at once, used in turns: every MAC must use its own set's key.
  std::vector<HmacSha256Keys> sets;
  for (char c = 'a'; c < 'a' + 7; ++c) sets.push_back(Keys({std::string(32, c)}));
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < sets.size(); ++i) {
      std::string key(32, static_cast<char>('a' + i));
      EXPECT_EQ(Compute(sets[i], 0, {"msg"}), SodiumHmac(key, "msg")) << "set " << i;
    }
  }
}

TEST(HmacSha256_KeySets, ANewSetNeverUsesADestroyedOnesContexts) {
  for (char c = 'a'; c < 'a' + 20; ++c) {
    std::string key(40, c);
    auto keys = Keys({key});  // often at the address of the previous one
    EXPECT_EQ(Compute(keys, 0, {"x"}), SodiumHmac(key, "x"));
  }
}

TEST(HmacSha256_Threads, EachThreadGetsTheSameMacs) {
  auto keys = Keys({std::string(32, 'o'), std::string(33, 'n')});
  std::string want0 = SodiumHmac(std::string(32, 'o'), "payload");
  std::string want1 = SodiumHmac(std::string(33, 'n'), "payload");
  std::vector<std::thread> threads;
  std::array<int, 4> wrong{};
  for (std::size_t t = 0; t < wrong.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        if (Compute(keys, 0, {"pay", "load"}) != want0) ++wrong[t];
        if (Compute(keys, 1, {"payload"}) != want1) ++wrong[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int w : wrong) EXPECT_EQ(w, 0);
}

TEST(HmacSha256_Keys, RejectsAnEmptyKeySet) {
  EXPECT_THROW(HmacSha256Keys(std::vector<Secret>{}), std::invalid_argument);
}

}  // namespace
}  // namespace latchkey::crypto
