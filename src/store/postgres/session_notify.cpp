#include "store/postgres/session_notify.h"

#include <charconv>
#include <cstdint>

#include "store/postgres/query.h"

namespace latchkey::store::postgres {
namespace {

constexpr const char* kNotify = "SELECT pg_notify('latchkey_sessions', $1)";
constexpr std::string_view kTokenPrefix = "t:";
constexpr std::string_view kUserPrefix = "u:";
constexpr std::string_view kMarkPrefix = "m:";

// All of `digits` as a decimal integer.
std::optional<std::int64_t> ParseInt(std::string_view digits) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

Result<void> NotifyTokenChanged(Connection& conn, const session::TokenHash& token_hash,
                                const char* what) {
  std::string payload(kTokenPrefix);
  payload += token_hash.value();
  if (auto r = Exec(conn, kNotify, what, {payload}); !r) return r.error();
  return {};
}

Result<void> NotifyUserChanged(Connection& conn, identity::UserId user_id, const char* what) {
  std::string payload(kUserPrefix);
  payload += std::to_string(user_id.value());
  if (auto r = Exec(conn, kNotify, what, {payload}); !r) return r.error();
  return {};
}

std::optional<SessionChange> ParseSessionChange(std::string_view payload) {
  if (payload.starts_with(kTokenPrefix) && payload.size() > kTokenPrefix.size()) {
    return SessionChange{session::TokenHash(std::string(payload.substr(kTokenPrefix.size()))),
                         std::nullopt, std::nullopt};
  }
  if (payload.starts_with(kUserPrefix)) {
    if (auto id = ParseInt(payload.substr(kUserPrefix.size()))) {
      return SessionChange{std::nullopt, identity::UserId(*id), std::nullopt};
    }
  }
  if (payload.starts_with(kMarkPrefix)) {
    if (auto seq = ParseInt(payload.substr(kMarkPrefix.size()))) {
      return SessionChange{std::nullopt, std::nullopt, *seq};
    }
  }
  return std::nullopt;
}

}  // namespace latchkey::store::postgres
