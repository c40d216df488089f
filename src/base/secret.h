// Bytes that must never be logged or streamed: secret keys, raw session tokens, session
// cookie values and passwords in flight.
// Wiped with sodium_memzero on destruction (OWASP ASVS 8.3.4 / 6.4: protect secrets in memory).
// There is deliberately no operator<< and no implicit conversion to std::string.
// Thread-safety: like std::string.
#pragma once

#include <sodium.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace latchkey {

class Secret {
 public:
  Secret() = default;
  // Implicit: anything may go into a Secret (a password from a JSON body, a test's literal);
  // nothing comes out but through Reveal().
  // The parameter is wiped too: a short string moved from keeps its characters inline.
  Secret(std::string bytes) : bytes_(std::move(bytes)) { WipeString(bytes); }  // NOLINT
  Secret(const char* bytes) : bytes_(bytes) {}  // NOLINT: implicit by design
  Secret(const Secret&) = default;
  Secret& operator=(const Secret& other) {
    if (this != &other) {
      Wipe();
      bytes_ = other.bytes_;
    }
    return *this;
  }
  Secret(Secret&& other) noexcept : bytes_(std::move(other.bytes_)) { other.Wipe(); }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      Wipe();
      bytes_ = std::move(other.bytes_);
      other.Wipe();
    }
    return *this;
  }
  ~Secret() { Wipe(); }

  // The raw bytes, for crypto calls only.
  std::string_view Reveal() const { return bytes_; }
  const unsigned char* data() const {
    return reinterpret_cast<const unsigned char*>(bytes_.data());
  }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }

 private:
  // Zeroes the whole buffer, not only the current characters: a string moved from keeps its
  // characters in its inline (short-string) buffer with size 0, so growing to the capacity
  // first covers what a move or a shorter assignment left behind.
  void Wipe() { WipeString(bytes_); }
  static void WipeString(std::string& s) {
    s.resize(s.capacity());
    sodium_memzero(s.data(), s.size());
    s.clear();
  }
  std::string bytes_;
};

}  // namespace latchkey
