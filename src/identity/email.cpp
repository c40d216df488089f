#include "identity/email.h"

#include <algorithm>
#include <string>

namespace latchkey::identity {
namespace {

Error Invalid(std::string message) {
  return MakeError(Errc::kInvalidInput, std::move(message), "email");
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5322 3.2.3 atext.
bool IsAtext(char c) {
  return IsAlnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool IsNonAscii(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

Result<void> ValidateLocal(std::string_view local) {
  if (local.empty()) return Invalid("Email address needs a name before the @");
  if (local.size() > kEmailLocalMax) {
    return Invalid("The part before the @ must be at most 64 characters long");
  }
  if (IsNonAscii(local)) return Invalid("The part before the @ must be plain ASCII");
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return Invalid("The part before the @ must not start or end with a dot or hold two dots");
  }
  for (char c : local) {
    if (c != '.' && !IsAtext(c)) {
      return Invalid("The part before the @ holds a character that is not allowed");
    }
  }
  return {};
}

Result<void> ValidateDomain(std::string_view domain) {
  if (domain.empty()) return Invalid("Email address needs a domain after the @");
  if (IsNonAscii(domain)) {
    return Invalid("Write an international domain in its ASCII form (xn--...)");
  }
  std::size_t labels = 0;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = domain.find('.', start);
    std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    bool ok =
        !label.empty() && label.size() <= kEmailLabelMax && label.front() != '-' &&
        label.back() != '-' &&
        std::all_of(label.begin(), label.end(), [](char c) { return IsAlnum(c) || c == '-'; });
    if (!ok) return Invalid("The domain after the @ is not a valid domain name");
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2) return Invalid("The domain after the @ needs a dot (example.org)");
  return {};
}

}  // namespace

Result<void> ValidateEmail(std::string_view email) {
  if (email.empty()) return Invalid("Email address is empty");
  if (email.size() > kEmailMax) return Invalid("Email address must be at most 254 characters long");
  std::size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return Invalid("Email address must contain exactly one @");
  }
  if (auto r = ValidateLocal(email.substr(0, at)); !r) return r;
  return ValidateDomain(email.substr(at + 1));
}

std::string EmailKey(std::string_view email) {
  std::string key(email);
  std::size_t at = key.rfind('@');
  if (at == std::string::npos) return key;
  std::transform(key.begin() + static_cast<std::ptrdiff_t>(at), key.end(),
                 key.begin() + static_cast<std::ptrdiff_t>(at), [](char c) {
                   return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
                 });
  return key;
}

bool LooksLikeEmail(std::string_view login) { return login.find('@') != std::string_view::npos; }

}  // namespace latchkey::identity
