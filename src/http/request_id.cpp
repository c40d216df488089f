#include "http/request_id.h"

#include <sodium.h>

#include <array>
#include <cstdint>

namespace latchkey::http {
namespace {

// SplitMix64 (Steele, Lea, Flood 2014): a bijective mixer, so distinct counters give distinct
// outputs; the seed keeps one thread's ids from predicting another's.
std::uint64_t Mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct Generator {
  std::uint64_t seed[2];
  std::uint64_t counter = 0;
  Generator() { randombytes_buf(seed, sizeof seed); }
};

// `n` characters of the base64url alphabet from the low 6*n bits of `v`.
void WriteBase64Url(char* out, std::uint64_t v, int n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int i = 0; i < n; ++i, v >>= 6) out[i] = kAlphabet[v & 63];
}

// [A-Za-z0-9._:-], as a table: one load per character.
constexpr std::array<bool, 256> kAllowed = [] {
  std::array<bool, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    t[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  }
  return t;
}();

}  // namespace

bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    if (!kAllowed[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

std::string NewRequestId() {
  thread_local Generator gen;
  std::uint64_t n = ++gen.counter;
  char buf[kGeneratedRequestIdLength];
  WriteBase64Url(buf, Mix(n ^ gen.seed[0]), 10);      // 60 bits
  WriteBase64Url(buf + 10, Mix(n + gen.seed[1]), 5);  // 30 bits
  return std::string(buf, sizeof buf);
}

std::string RequestIdFor(std::string_view offered) {
  return IsAcceptableRequestId(offered) ? std::string(offered) : NewRequestId();
}

}  // namespace latchkey::http
