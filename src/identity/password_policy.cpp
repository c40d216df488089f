#include "identity/password_policy.h"

#include <fstream>
#include <stdexcept>

#include "identity/password_prep.h"
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

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

PasswordPolicy::PasswordPolicy(const std::unordered_set<std::string>& common) {
  common_.reserve(common.size());
  for (const auto& p : common) {
    if (p.empty()) continue;
    // Compared with prepared passwords, so prepared too (an entry typed in NFD still matches);
    // an entry that cannot be prepared is kept as it is (it can match no new password).
    // (ASCII entries are prepared already: no mapping or normalization changes them.)
    std::string entry = p;
    if (!IsAscii(p)) {
      if (auto prepared = PreparePassword(p)) entry = std::string(prepared->Reveal());
    }
    common_.insert(AsciiLower(entry));
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

Result<Secret> PasswordPolicy::PrepareNew(std::string_view typed, std::string_view username,
                                          std::string_view field) const {
  auto prepared = PreparePassword(typed, field);
  if (!prepared) return prepared.error();
  if (auto r = Validate(prepared->Reveal(), username, field); !r) return r.error();
  return prepared;
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
