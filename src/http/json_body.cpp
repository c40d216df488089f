#include "http/json_body.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <cctype>
#include <unordered_set>
#include <vector>

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

// Builds the DOM on a value_stack, as boost::json::parser does, and watches the keys in the
// same pass (one parse on the hot path):
// - the top-level key whose value is being read, to name the field when the parse fails
//   (e.g. a lone "\ud800" escape in its value);
// - duplicate keys in any object. Boost.JSON keeps one of them silently and other parsers may
//   keep the other (RFC 8259 section 4: names SHOULD be unique), so {"username":"a",
//   "username":"b"} could mean one account here and another to a proxy or a log reader:
//   refused (OWASP ASVS 5.1.x).
struct CheckedBuilder {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;
  int depth = 0;
  std::string key_part;                               // the key being read, so far
  std::string last_key;                               // top-level key whose value is read
  std::vector<std::unordered_set<std::string>> keys;  // keys seen, one set per open object
  bool duplicate = false;                             // a key repeated in one object

  CheckedBuilder(unsigned char* temp, std::size_t size) : st({}, temp, size) { st.reset(); }

  bool ValueDone() {
    if (depth == 1) last_key.clear();
    return true;
  }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) {
    ++depth;
    keys.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t n, error_code&) {
    st.push_object(n);
    keys.pop_back();
    --depth;
    return ValueDone();
  }
  bool on_array_begin(error_code&) { return ++depth, true; }
  bool on_array_end(std::size_t n, error_code&) {
    st.push_array(n);
    --depth;
    return ValueDone();
  }
  bool on_key_part(json::string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    key_part.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, error_code& ec) {
    st.push_key(s);
    key_part.append(s.data(), s.size());
    auto [it, inserted] = keys.back().insert(std::move(key_part));
    key_part.clear();
    if (depth == 1) last_key = *it;
    if (!inserted) {
      duplicate = true;
      ec = json::error::syntax;  // stops the parser; ParseJsonObject reports the duplicate
      return false;
    }
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, error_code&) {
    st.push_string(s);
    return ValueDone();
  }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, error_code&) {
    st.push_int64(i);
    return ValueDone();
  }
  bool on_uint64(std::uint64_t u, json::string_view, error_code&) {
    st.push_uint64(u);
    return ValueDone();
  }
  bool on_double(double d, json::string_view, error_code&) {
    st.push_double(d);
    return ValueDone();
  }
  bool on_bool(bool b, error_code&) {
    st.push_bool(b);
    return ValueDone();
  }
  bool on_null(error_code&) {
    st.push_null();
    return ValueDone();
  }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }
};

// The top-level field to blame for a bad body: the key whose value was being read, when it is
// one a client could mean (valid UTF-8, short), else none. It is echoed in the answer.
std::string BlamedField(const CheckedBuilder& h) {
  if (h.depth < 1 || h.last_key.size() > 64 || !CountCodePoints(h.last_key)) return {};
  return h.last_key;
}

}  // namespace

Result<json::object> ParseJsonObject(const Request& request) {
  if (!IsJsonContentType(request.content_type)) {
    return MakeError(Errc::kUnsupportedMediaType);
  }
  return ParseJsonObjectText(request.body);
}

Result<json::object> ParseJsonObjectText(std::string_view text) {
  json::parse_options options;
  options.max_depth = 16;             // our bodies are flat; deep nesting is only an attack
  options.allow_invalid_utf8 = true;  // checked per field by StringField, to name the field
  // Values up to this size are built without allocating (as json::parse does).
  unsigned char temp[4096];
  json::basic_parser<CheckedBuilder> parser(options, temp, sizeof(temp));
  error_code ec;
  std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = json::error::extra_data;
  if (parser.handler().duplicate) {
    return MakeError(Errc::kInvalidInput, "Request body repeats a key",
                     BlamedField(parser.handler()));
  }
  if (ec) {
    return MakeError(Errc::kInvalidInput, "Request body is not valid JSON",
                     parser.handler().depth == 1 ? BlamedField(parser.handler()) : std::string());
  }
  json::value value = parser.handler().st.release();
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
  // NUL truncates C strings, CR/LF split log lines and headers; no field of ours needs them.
  if (std::string_view(s.data(), s.size()).find_first_of(std::string_view("\0\r\n", 3)) !=
      std::string_view::npos) {
    return MakeError(Errc::kInvalidInput,
                     std::string(key) + " must not contain NUL, CR or LF characters",
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
