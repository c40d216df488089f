// `latchkey bench-hash`: how many password hashes per second this machine makes with the
// configured algorithm and parameters (the bound on logins and signups per second: each one
// hashes or verifies once). Measures one thread (per core), then one thread per core at once.
#pragma once

#include "crypto/password_hasher.h"

namespace latchkey::app {

struct HashBenchResult {
  int threads = 1;      // threads of the second run (one per core)
  double seconds = 0;   // duration of each run
  double per_core = 0;  // hashes per second, one thread
  double total = 0;     // hashes per second, `threads` threads at once
  long hashes = 0;      // hashes made in the second run
};

// Runs each measurement for about `seconds` (at least one hash per thread). Throws
// std::runtime_error if hashing fails (out of memory).
HashBenchResult BenchHash(const crypto::PasswordHashParams& params, int threads, double seconds);

// Prints `r` as one line of text, or as one JSON object {"algorithm","params","threads",
// "seconds","hashes","per_core","total"} for scripts (bench/run.sh).
void PrintHashBench(const crypto::PasswordHashParams& params, const HashBenchResult& r, bool json);

}  // namespace latchkey::app
