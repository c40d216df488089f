#include "mail/outgoing_mail.h"

#include <boost/json.hpp>

namespace latchkey::mail {

std::string SealMailVariables(const crypto::Sealer& sealer,
                              const std::map<std::string, std::string>& variables) {
  boost::json::object object;
  for (const auto& [name, value] : variables) object[name] = value;
  std::string json = boost::json::serialize(object);
  std::string sealed = sealer.Seal(kMailSealPurpose, json);
  Secret wipe(std::move(json));  // the plain form may hold a token: wiped as it goes
  return sealed;
}

std::optional<std::map<std::string, std::string>> OpenMailVariables(const crypto::Sealer& sealer,
                                                                    std::string_view payload) {
  auto plain = sealer.Open(kMailSealPurpose, payload);
  if (!plain) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(plain->Reveal(), ec);
  if (ec || !value.is_object()) return std::nullopt;
  std::map<std::string, std::string> variables;
  for (const auto& [name, field] : value.as_object()) {
    if (!field.is_string()) return std::nullopt;
    variables.emplace(std::string(name), std::string(field.as_string()));
  }
  return variables;
}

}  // namespace latchkey::mail
