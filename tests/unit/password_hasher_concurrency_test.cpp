// PasswordHasher shared by the threads of the hashing pool (run under ThreadSanitizer by
// scripts/sanitize.sh thread): one hasher hashing and verifying on several threads at once
// gives each thread correct results, in both formats (libsodium's argon2id, libxcrypt's
// bcrypt through crypt_rn: a shared static buffer, as plain crypt() has, would mix the
// threads' results up).
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "crypto/password_hasher.h"
#include "test_support.h"

namespace latchkey::crypto {
namespace {

void HashAndVerifyOnThreads(PasswordAlgorithm algorithm) {
  latchkey::testing::TempDir sodium_ready;  // runs sodium_init
  PasswordHashParams params;
  params.algorithm = algorithm;
  params.argon2_memlimit = 1u << 20;  // tests only: fast
  params.argon2_opslimit = 1;
  params.bcrypt_cost = 4;
  const PasswordHasher hasher(params);
  constexpr int kThreads = 4;
  constexpr int kEach = 3;
  std::vector<std::vector<std::string>> hashes(kThreads);
  std::atomic<int> wrong{0};
  std::latch hashed(kThreads);
  std::vector<std::thread> threads;
  auto password = [](int t, int i) { return "password of " + std::to_string(t * 100 + i); };
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto h = hasher.Hash(password(t, i));
        if (!h) {
          ++wrong;
          continue;
        }
        if (!hasher.Verify(password(t, i), *h)) ++wrong;
        hashes[t].push_back(*h);
      }
      hashed.arrive_and_wait();  // then verify every other thread's hashes, all at once
      for (int u = 0; u < kThreads; ++u) {
        for (int i = 0; i < static_cast<int>(hashes[u].size()); ++i) {
          if (!hasher.Verify(password(u, i), hashes[u][i])) ++wrong;
          if (hasher.Verify(password(u, i + 1), hashes[u][i])) ++wrong;
        }
      }
      if (hasher.VerifyDummy(password(t, 0))) ++wrong;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  for (const auto& mine : hashes) EXPECT_EQ(mine.size(), static_cast<std::size_t>(kEach));
}

TEST(PasswordHasherConcurrency, Argon2idFromManyThreadsAtOnce) {
  HashAndVerifyOnThreads(PasswordAlgorithm::kArgon2id);
}

TEST(PasswordHasherConcurrency, BcryptFromManyThreadsAtOnce) {
  HashAndVerifyOnThreads(PasswordAlgorithm::kBcrypt);
}

}  // namespace
}  // namespace latchkey::crypto
