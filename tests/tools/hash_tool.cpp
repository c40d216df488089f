// Test helper (tests/api/unicode_passwords.test.mjs): a password hash as Latchkey made them
// before passwords were prepared (RFC 8265, identity/password_prep.h): the same
// crypto::PasswordHasher with the server's default parameters, over the bytes as given, with
// no preparation. A test imports it (`latchkey import`) as the hash of an existing user.
// Not installed; not an operator's tool.
//
//   latchkey_hash_tool < password-bytes   (all of stdin, a newline included if there is one)
//   -> the hash on stdout; exit 1 with a message on stderr when hashing fails.
#include <sodium.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "base/secret.h"
#include "crypto/password_hasher.h"

int main() {
  using namespace latchkey;
  if (sodium_init() < 0) {
    std::fprintf(stderr, "libsodium failed to initialise\n");
    return 1;
  }
  Secret password(std::string(std::istreambuf_iterator<char>(std::cin), {}));
  crypto::PasswordHasher hasher(crypto::PasswordHashParams{});
  auto hash = hasher.Hash(password.Reveal());
  if (!hash) {
    std::fprintf(stderr, "%s\n", std::string(MessageOf(hash.error())).c_str());
    return 1;
  }
  std::printf("%s\n", hash->c_str());
  return 0;
}
