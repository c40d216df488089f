#include "http/json_body.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>

#include <cctype>

#include "base/utf8.h"

namespace latchkey::http {
namespace {

namespace json = boost::json;
using boost::system::error_code;

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

// A SAX handler that builds nothing and remembers the last top-level key: run only after a
// parse failed, to name the field whose value broke the body (e.g. a lone "\ud800" escape).
struct KeyTracker {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  int depth = 0;
  std::string key_part;
  std::string last_key;  // the top-level key whose value is being read; empty between values

  bool ValueDone() {
    if (depth == 1) last_key.clear();
    return true;
  }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return ++depth, true; }
  bool on_object_end(std::size_t, error_code&) { return --depth, ValueDone(); }
  bool on_array_begin(error_code&) { return ++depth, true; }
  bool on_array_end(std::size_t, error_code&) { return --depth, ValueDone(); }
  bool on_key_part(json::string_view s, std::size_t, error_code&) {
    if (depth == 1) key_part.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, error_code&) {
    if (depth == 1) {
      key_part.append(s.data(), s.size());
      last_key = std::move(key_part);
      key_part.clear();
    }
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, error_code&) { return ValueDone(); }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, error_code&) { return ValueDone(); }
  bool on_uint64(std::uint64_t, json::string_view, error_code&) { return ValueDone(); }
  bool on_double(double, json::string_view, error_code&) { return ValueDone(); }
  bool on_bool(bool, error_code&) { return ValueDone(); }
  bool on_null(error_code&) { return ValueDone(); }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }
};

// The top-level key whose value the parser was reading when it failed, or empty.
std::string FieldAtError(std::string_view body, const json::parse_options& options) {
  json::basic_parser<KeyTracker> parser(options);
  error_code ec;
  parser.write_some(false, body.data(), body.size(), ec);
  return parser.handler().depth == 1 ? parser.handler().last_key : std::string();
}

}  // namespace

Result<json::object> ParseJsonObject(const Request& request) {
  if (!IsJsonContentType(request.content_type)) {
    return MakeError(Errc::kUnsupportedMediaType, "Content-Type must be application/json");
  }
  json::parse_options options;
  options.max_depth = 16;             // our bodies are flat; deep nesting is only an attack
  options.allow_invalid_utf8 = true;  // checked per field by StringField, to name the field
  error_code ec;
  json::value value = json::parse(request.body, ec, {}, options);
  if (ec) {
    return MakeError(Errc::kInvalidInput, "Request body is not valid JSON",
                     FieldAtError(request.body, options));
  }
  if (!value.is_object())
    return MakeError(Errc::kInvalidInput, "Request body must be a JSON object");
  return std::move(value.get_object());
}

Result<std::string> StringField(const json::object& body, std::string_view key, bool required,
                                std::string_view fallback) {
  const json::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) {
      return MakeError(Errc::kInvalidInput, std::string(key) + " is required", std::string(key));
    }
    return std::string(fallback);
  }
  if (!v->is_string()) {
    return MakeError(Errc::kInvalidInput, std::string(key) + " must be a string", std::string(key));
  }
  const json::string& s = v->get_string();
  if (!CountCodePoints(std::string_view(s.data(), s.size()))) {
    return MakeError(Errc::kInvalidInput, std::string(key) + " must be valid UTF-8 text",
                     std::string(key));
  }
  return std::string(s.data(), s.size());
}

Result<bool> BoolField(const json::object& body, std::string_view key, bool fallback) {
  const json::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_bool()) {
    return MakeError(Errc::kInvalidInput, std::string(key) + " must be true or false",
                     std::string(key));
  }
  return v->get_bool();
}

}  // namespace latchkey::http
