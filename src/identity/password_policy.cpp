#include "identity/password_policy.h"

#include <fstream>
#include <stdexcept>

#include "identity/validation.h"

namespace latchkey::identity {
namespace {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && AsciiLower(a) == AsciiLower(b);
}

}  // namespace

PasswordPolicy::PasswordPolicy(const std::unordered_set<std::string>& common) {
  common_.reserve(common.size());
  for (const auto& p : common) {
    if (!p.empty()) common_.insert(AsciiLower(p));
  }
}

PasswordPolicy PasswordPolicy::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the common-password list " + path);
  std::unordered_set<std::string> common;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) common.insert(std::move(line));
  }
  if (in.bad()) throw std::runtime_error("cannot read the common-password list " + path);
  if (common.empty()) {
    throw std::runtime_error("the common-password list " + path + " holds no password");
  }
  return PasswordPolicy(common);
}

bool PasswordPolicy::IsCommon(std::string_view password) const {
  return common_.count(AsciiLower(password)) != 0;
}

Result<void> PasswordPolicy::Validate(std::string_view password, std::string_view username,
                                      std::string_view field) const {
  if (auto r = ValidatePassword(password, field); !r) return r.error();
  if (!username.empty() && EqualsIgnoringAsciiCase(password, username)) {
    return MakeError(Errc::kInvalidInput, "Password must not be the same as the username",
                     std::string(field));
  }
  if (IsCommon(password)) {
    return MakeError(Errc::kInvalidInput, "This password is too common. Choose another.",
                     std::string(field));
  }
  return {};
}

}  // namespace latchkey::identity
