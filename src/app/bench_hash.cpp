#include "app/bench_hash.h"

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace latchkey::app {
namespace {

using Clock = std::chrono::steady_clock;

// Hashes on `threads` threads until `seconds` have passed; returns the hashes made.
long Run(const crypto::PasswordHasher& hasher, int threads, double seconds) {
  auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  std::atomic<long> hashes{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      do {
        if (!hasher.Hash("correct horse battery staple")) {
          failed = true;
          return;
        }
        ++hashes;
      } while (Clock::now() < deadline);
    });
  }
  for (auto& th : pool) th.join();
  if (failed) throw std::runtime_error("password hashing failed (out of memory?)");
  return hashes.load();
}

std::string ParamsText(const crypto::PasswordHashParams& p) {
  if (p.algorithm == crypto::PasswordAlgorithm::kBcrypt) {
    return "cost=" + std::to_string(p.bcrypt_cost);
  }
  return "m=" + std::to_string(p.argon2_memlimit / 1024) +
         "KiB,t=" + std::to_string(p.argon2_opslimit) + ",p=1";
}

}  // namespace

HashBenchResult BenchHash(const crypto::PasswordHashParams& params, int threads, double seconds) {
  crypto::PasswordHasher hasher(params);
  HashBenchResult r;
  r.threads = threads < 1 ? 1 : threads;
  r.seconds = seconds;
  auto start = Clock::now();
  long one = Run(hasher, 1, seconds);
  r.per_core = one / std::chrono::duration<double>(Clock::now() - start).count();
  start = Clock::now();
  r.hashes = Run(hasher, r.threads, seconds);
  r.total = r.hashes / std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

void PrintHashBench(const crypto::PasswordHashParams& params, const HashBenchResult& r, bool json) {
  const char* algorithm =
      params.algorithm == crypto::PasswordAlgorithm::kBcrypt ? "bcrypt" : "argon2id";
  if (json) {
    boost::json::object o;
    o["algorithm"] = algorithm;
    o["params"] = ParamsText(params);
    o["threads"] = r.threads;
    o["seconds"] = r.seconds;
    o["hashes"] = r.hashes;
    o["per_core"] = r.per_core;
    o["total"] = r.total;
    std::printf("%s\n", boost::json::serialize(o).c_str());
    return;
  }
  std::printf("%s (%s): %.1f hashes/s on one core, %.1f hashes/s on %d threads (%.1f s each)\n",
              algorithm, ParamsText(params).c_str(), r.per_core, r.total, r.threads, r.seconds);
}

}  // namespace latchkey::app
