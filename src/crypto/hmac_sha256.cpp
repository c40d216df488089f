// The SHA256_CTX functions are deprecated in OpenSSL 3.0 (see hmac_sha256.h for why they are
// used; crypto/encoding.cpp uses them too).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "crypto/hmac_sha256.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>

namespace latchkey::crypto {
namespace {

constexpr std::size_t kBlockBytes = SHA256_CBLOCK;  // 64

// A SHA256_CTX wiped when it goes out of scope.
struct WipedContext {
  SHA256_CTX ctx;
  WipedContext() = default;
  explicit WipedContext(const SHA256_CTX& from) : ctx(from) {}
  WipedContext(const WipedContext&) = delete;
  WipedContext& operator=(const WipedContext&) = delete;
  ~WipedContext() { OPENSSL_cleanse(&ctx, sizeof ctx); }
};

}  // namespace

struct HmacSha256Keys::State {
  // Per key: the SHA-256 states after the block K xor ipad, and after K xor opad.
  struct Keyed {
    SHA256_CTX inner;
    SHA256_CTX outer;
  };
  std::vector<Keyed> keyed;
  ~State() {
    if (!keyed.empty()) OPENSSL_cleanse(keyed.data(), keyed.size() * sizeof(Keyed));
  }
};

HmacSha256Keys::HmacSha256Keys(std::vector<Secret> keys) {
  if (keys.empty()) throw std::invalid_argument("HMAC needs at least one key");
  auto state = std::make_shared<State>();
  state->keyed.resize(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    std::array<unsigned char, kBlockBytes> block{};  // K, zero-padded to the block size
    if (keys[i].size() > kBlockBytes) {  // hashed first; SHA256_CTX cannot fail, SHA256() can
      WipedContext hashing;
      SHA256_Init(&hashing.ctx);
      SHA256_Update(&hashing.ctx, keys[i].data(), keys[i].size());
      SHA256_Final(block.data(), &hashing.ctx);
    } else {
      std::copy(keys[i].data(), keys[i].data() + keys[i].size(), block.begin());
    }
    std::array<unsigned char, kBlockBytes> pad;
    for (std::size_t j = 0; j < kBlockBytes; ++j) pad[j] = block[j] ^ 0x36;
    SHA256_Init(&state->keyed[i].inner);
    SHA256_Update(&state->keyed[i].inner, pad.data(), pad.size());
    for (std::size_t j = 0; j < kBlockBytes; ++j) pad[j] = block[j] ^ 0x5c;
    SHA256_Init(&state->keyed[i].outer);
    SHA256_Update(&state->keyed[i].outer, pad.data(), pad.size());
    OPENSSL_cleanse(block.data(), block.size());
    OPENSSL_cleanse(pad.data(), pad.size());
  }
  state_ = std::move(state);
}

std::size_t HmacSha256Keys::size() const { return state_->keyed.size(); }

void HmacSha256Keys::Compute(std::size_t index, std::initializer_list<std::string_view> parts,
                             std::span<unsigned char, kHmacSha256Bytes> out) const {
  const State::Keyed& keyed = state_->keyed.at(index);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> inner_digest;
  {
    WipedContext inner(keyed.inner);
    for (std::string_view part : parts) SHA256_Update(&inner.ctx, part.data(), part.size());
    SHA256_Final(inner_digest.data(), &inner.ctx);
  }
  WipedContext outer(keyed.outer);
  SHA256_Update(&outer.ctx, inner_digest.data(), inner_digest.size());
  SHA256_Final(out.data(), &outer.ctx);
}

}  // namespace latchkey::crypto
