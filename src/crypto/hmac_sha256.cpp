#include "crypto/hmac_sha256.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <atomic>
#include <stdexcept>
#include <utility>

namespace latchkey::crypto {

struct HmacSha256Keys::State {
  std::uint64_t id = 0;  // unique per key set: thread slots are matched by it, never by address
  std::vector<Secret> keys;
  EVP_MAC* mac = nullptr;
  ~State() { EVP_MAC_free(mac); }
};

namespace {

constexpr std::size_t kThreadSlots = 4;
std::atomic<std::uint64_t> next_id{1};

[[noreturn]] void Fail(const char* what) { throw std::runtime_error(what); }

// One thread's keyed contexts for one key set, one context per key.
struct Slot {
  std::uint64_t id = 0;
  std::vector<EVP_MAC_CTX*> contexts;
  void Clear() {
    for (EVP_MAC_CTX* ctx : contexts) EVP_MAC_CTX_free(ctx);
    contexts.clear();
    id = 0;
  }
};

struct ThreadSlots {
  std::array<Slot, kThreadSlots> slots;
  std::size_t next_victim = 0;
  ~ThreadSlots() {
    for (Slot& slot : slots) slot.Clear();
  }
};

thread_local ThreadSlots thread_slots;

}  // namespace

HmacSha256Keys::HmacSha256Keys(std::vector<Secret> keys) {
  if (keys.empty()) throw std::invalid_argument("HMAC needs at least one key");
  auto state = std::make_shared<State>();
  state->id = next_id.fetch_add(1, std::memory_order_relaxed);
  state->keys = std::move(keys);
  state->mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  if (state->mac == nullptr) Fail("OpenSSL provides no HMAC");
  state_ = std::move(state);
}

std::size_t HmacSha256Keys::size() const { return state_->keys.size(); }

void HmacSha256Keys::Compute(std::size_t index, std::initializer_list<std::string_view> parts,
                             std::span<unsigned char, kHmacSha256Bytes> out) const {
  const State& state = *state_;
  ThreadSlots& local = thread_slots;
  Slot* slot = nullptr;
  for (Slot& s : local.slots) {
    if (s.id == state.id) slot = &s;
  }
  if (slot == nullptr) {
    slot = &local.slots[local.next_victim];
    local.next_victim = (local.next_victim + 1) % kThreadSlots;
    slot->Clear();
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    for (const Secret& key : state.keys) {
      EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(state.mac);
      if (ctx == nullptr) Fail("EVP_MAC_CTX_new failed");
      slot->contexts.push_back(ctx);
      if (EVP_MAC_init(ctx, key.data(), key.size(), params) != 1) {
        slot->Clear();
        Fail("EVP_MAC_init failed");
      }
    }
    slot->id = state.id;
  }
  EVP_MAC_CTX* ctx = slot->contexts.at(index);
  // A null key re-initialises with the key already set (no new key schedule).
  bool ok = EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1;
  for (std::string_view part : parts) {
    ok = ok &&
         EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(part.data()), part.size()) == 1;
  }
  std::size_t written = 0;
  ok = ok && EVP_MAC_final(ctx, out.data(), &written, out.size()) == 1 && written == out.size();
  if (!ok) Fail("HMAC-SHA256 failed");
}

}  // namespace latchkey::crypto
