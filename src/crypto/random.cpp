#include "crypto/random.h"

#include <sodium.h>

#include "crypto/encoding.h"

namespace latchkey::crypto {

std::string RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

std::string RandomToken(std::size_t n) {
  std::string raw = RandomBytes(n);
  std::string token = Base64UrlEncode(raw);
  sodium_memzero(raw.data(), raw.size());
  return token;
}

}  // namespace latchkey::crypto
