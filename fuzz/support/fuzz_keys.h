// Fixed HMAC keyrings for the fuzz targets. The keys are constants, so an input that signs or
// verifies in one run does the same in the next (a crash file replays), and the seed corpus can
// hold correctly signed cookies (fuzz/README.md says how they were made).
// Thread-safety: the returned keyrings are immutable.
#pragma once

#include <string>
#include <string_view>

#include "crypto/keyring.h"

namespace latchkey::fuzz {

// The key bytes, oldest first: 32 x 'o' (a rotated-out key that still verifies) and 32 x 'n'
// (the newest: signs).
inline constexpr std::string_view kOldKey = "oooooooooooooooooooooooooooooooo";
inline constexpr std::string_view kNewKey = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";

// The server's keyring: {kOldKey, kNewKey}. Built once per process.
const crypto::Keyring& ServerKeys();

// A keyring of each key alone ({kOldKey} or {kNewKey}), to recompute a MAC under one key.
const crypto::Keyring& OldKeyOnly();
const crypto::Keyring& NewKeyOnly();

// Aborts the process (a libFuzzer crash) with `what` on stderr when `ok` is false. Used for
// the targets' invariants: assert() would vanish under NDEBUG.
void Check(bool ok, const char* what);

}  // namespace latchkey::fuzz
