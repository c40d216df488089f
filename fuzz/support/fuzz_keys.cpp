// Fixed keyrings and the invariant check of the fuzz targets (fuzz_keys.h).
#include "support/fuzz_keys.h"

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "base/secret.h"

namespace latchkey::fuzz {
namespace {

crypto::Keyring Ring(std::initializer_list<std::string_view> keys) {
  std::vector<Secret> secrets;
  for (std::string_view k : keys) secrets.emplace_back(std::string(k));
  return crypto::Keyring(std::move(secrets));
}

}  // namespace

const crypto::Keyring& ServerKeys() {
  static const crypto::Keyring ring = Ring({kOldKey, kNewKey});
  return ring;
}

const crypto::Keyring& OldKeyOnly() {
  static const crypto::Keyring ring = Ring({kOldKey});
  return ring;
}

const crypto::Keyring& NewKeyOnly() {
  static const crypto::Keyring ring = Ring({kNewKey});
  return ring;
}

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
  std::abort();
}

}  // namespace latchkey::fuzz
