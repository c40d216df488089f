#include "http/json_body.h"

#include <boost/json/parse.hpp>

#include <cctype>

namespace latchkey::http {
namespace {

bool IsJsonContentType(std::string_view ct) {
  std::string_view media = ct.substr(0, ct.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  constexpr std::string_view kJson = "application/json";
  if (media.size() != kJson.size()) return false;
  for (std::size_t i = 0; i < kJson.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(media[i])) != kJson[i]) return false;
  }
  return true;
}

}  // namespace

Result<boost::json::object> ParseJsonObject(const Request& request) {
  if (!IsJsonContentType(request.content_type)) {
    return MakeError(Errc::kUnsupportedMediaType, "Content-Type must be application/json");
  }
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 16;  // our bodies are flat; deep nesting is only an attack
  boost::json::value value = boost::json::parse(request.body, ec, {}, options);
  if (ec) return MakeError(Errc::kInvalidInput, "Request body is not valid JSON");
  if (!value.is_object()) return MakeError(Errc::kInvalidInput, "Request body must be a JSON object");
  return std::move(value.get_object());
}

Result<std::string> StringField(const boost::json::object& body, std::string_view key,
                                bool required, std::string_view fallback) {
  const boost::json::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) {
      return MakeError(Errc::kInvalidInput, std::string(key) + " is required", std::string(key));
    }
    return std::string(fallback);
  }
  if (!v->is_string()) {
    return MakeError(Errc::kInvalidInput, std::string(key) + " must be a string", std::string(key));
  }
  return std::string(v->get_string());
}

}  // namespace latchkey::http
