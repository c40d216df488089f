#include "onetime/one_time_token.h"

#include <chrono>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace latchkey::onetime {
namespace {

constexpr std::string_view kCodePurpose = "one-time-code";

// kCodeDigits uniform decimal digits: 32-bit draws below the largest multiple of 10^8
// (rejection sampling: no modulo bias).
std::string RandomDigits() {
  constexpr std::uint32_t kRange = 100'000'000;
  constexpr std::uint32_t kLimit = (0xFFFFFFFFu / kRange) * kRange;
  for (;;) {
    std::string bytes = crypto::RandomBytes(4);
    std::uint32_t v = 0;
    for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
    if (v >= kLimit) continue;
    std::string digits = std::to_string(v % kRange);
    return std::string(kCodeDigits - digits.size(), '0') + digits;
  }
}

std::string CodeMessage(std::string_view token_hash, std::string_view digits) {
  std::string m(token_hash);
  m += '\0';
  m += digits;
  return m;
}

}  // namespace

std::string_view PurposeName(Purpose purpose) {
  switch (purpose) {
    case Purpose::kVerifyEmail:
      return "verify_email";
    case Purpose::kUndoEmailChange:
      return "undo_email_change";
    case Purpose::kRecovery:
      return "recovery";
  }
  return "unknown";
}

std::optional<Purpose> PurposeNamed(std::string_view name) {
  for (Purpose p : {Purpose::kVerifyEmail, Purpose::kUndoEmailChange, Purpose::kRecovery}) {
    if (PurposeName(p) == name) return p;
  }
  return std::nullopt;
}

Seconds LifetimeOf(Purpose purpose) {
  switch (purpose) {
    case Purpose::kVerifyEmail:
      return std::chrono::hours(24);
    case Purpose::kUndoEmailChange:
      return std::chrono::hours(72);
    case Purpose::kRecovery:
      return std::chrono::minutes(30);
  }
  return std::chrono::minutes(30);
}

MintedToken Minter::Mint(identity::UserId user, Purpose purpose, bool with_code, std::string data,
                         UnixTime now) const {
  MintedToken minted;
  minted.token = Secret(crypto::RandomToken(kTokenBytes));
  minted.record.user_id = user;
  minted.record.purpose = purpose;
  minted.record.token_hash = HashToken(minted.token.Reveal());
  if (with_code) {
    minted.code = Secret(RandomDigits());
    minted.record.code_hash = CodeHash(minted.record.token_hash, minted.code.Reveal());
  }
  minted.record.data = std::move(data);
  minted.record.created_at = now;
  minted.record.expires_at = now + LifetimeOf(purpose);
  return minted;
}

std::string Minter::CodeHash(std::string_view token_hash, std::string_view digits) const {
  return crypto::HexEncode(keys_.Mac(kCodePurpose, CodeMessage(token_hash, digits)));
}

bool Minter::CodeMatches(const TokenRecord& record, std::string_view code) const {
  auto digits = NormalizeCode(code);
  // The same MAC work whether or not the code is well-formed or the token has a code: the
  // answer's timing says nothing about the record.
  std::string computed =
      CodeHash(record.token_hash, digits ? std::string_view(*digits) : std::string_view("-"));
  bool equal = crypto::ConstantTimeEquals(computed, record.code_hash);
  return digits.has_value() && !record.code_hash.empty() && equal;
}

std::string HashToken(std::string_view token) { return crypto::Sha256Hex(token); }

bool LooksLikeToken(std::string_view token) {
  if (token.size() != 43) return false;
  for (char c : token) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string> NormalizeCode(std::string_view code) {
  if (code.size() > 32) return std::nullopt;
  std::string digits;
  for (char c : code) {
    if (c == ' ' || c == '-') continue;
    if (c < '0' || c > '9') return std::nullopt;
    digits += c;
  }
  if (digits.size() != kCodeDigits) return std::nullopt;
  return digits;
}

std::string GroupCode(std::string_view digits) {
  std::string out(digits.substr(0, 4));
  if (digits.size() > 4) {
    out += ' ';
    out += digits.substr(4);
  }
  return out;
}

}  // namespace latchkey::onetime
