#include "mfa/recovery_codes.h"

#include <sodium.h>

namespace latchkey::mfa {
namespace {

constexpr std::string_view kAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";  // Crockford, 32

// The symbol a typed character stands for, or '\0' when none.
char SymbolOf(char c) {
  if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (c == 'o') return '0';
  if (c == 'i' || c == 'l') return '1';
  return kAlphabet.find(c) == std::string_view::npos ? '\0' : c;
}

}  // namespace

std::vector<std::string> NewRecoveryCodes() {
  std::vector<std::string> codes;
  codes.reserve(kRecoveryCodeCount);
  for (std::size_t i = 0; i < kRecoveryCodeCount; ++i) {
    std::string code;
    for (std::size_t s = 0; s < kRecoveryCodeSymbols; ++s) {
      if (s > 0 && s % 4 == 0) code += '-';
      code += kAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlphabet.size()))];
    }
    codes.push_back(std::move(code));
  }
  return codes;
}

std::optional<std::string> CanonicalRecoveryCode(std::string_view typed) {
  if (typed.size() > 64) return std::nullopt;
  std::string out;
  for (char c : typed) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    char symbol = SymbolOf(c);
    if (symbol == '\0') return std::nullopt;
    out += symbol;
  }
  if (out.size() != kRecoveryCodeSymbols) return std::nullopt;
  return out;
}

}  // namespace latchkey::mfa
