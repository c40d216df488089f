#include "app/config_file.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace latchkey::app {
namespace {

// Config files are a few hundred bytes; anything this large is the wrong file.
constexpr std::size_t kMaxConfigBytes = 1 << 20;

std::string Where(const std::string& path, const toml::source_region& source) {
  return source.begin.line > 0 ? path + ":" + std::to_string(source.begin.line) : path;
}

Error Invalid(std::string message, std::string key = {}) {
  return MakeError(Errc::kInvalidInput, std::move(message), std::move(key));
}

const char* TypeName(KeyType type) {
  switch (type) {
    case KeyType::kString:
      return "a string";
    case KeyType::kInteger:
      return "an integer";
    case KeyType::kFloat:
      return "a number";
    case KeyType::kBoolean:
      return "true or false";
  }
  return "a value";
}

const char* PluralName(KeyType type) {
  switch (type) {
    case KeyType::kString:
      return "strings";
    case KeyType::kInteger:
      return "integers";
    case KeyType::kFloat:
      return "numbers";
    case KeyType::kBoolean:
      return "booleans";
  }
  return "values";
}

// Edit distance, for "did you mean": keys are short and few.
std::size_t Distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string Suggestion(std::string_view key, const std::vector<KeySpec>& keys) {
  const KeySpec* best = nullptr;
  std::size_t best_distance = 0;
  for (const KeySpec& spec : keys) {
    std::size_t d = Distance(key, spec.key);
    if (!best || d < best_distance) {
      best = &spec;
      best_distance = d;
    }
  }
  // A typo, a '_' for a '-' or two: further than that is another word.
  if (!best || best_distance > std::max<std::size_t>(2, key.size() / 4)) return {};
  return " (did you mean '" + best->key + "'?)";
}

// The flag text of one TOML scalar, or nothing when its type is not `type`.
std::optional<std::string> ScalarText(const toml::node& node, KeyType type) {
  switch (type) {
    case KeyType::kString:
      if (auto s = node.value_exact<std::string>()) return *s;
      break;
    case KeyType::kInteger:
      if (auto i = node.value_exact<int64_t>()) return std::to_string(*i);
      break;
    case KeyType::kFloat:
      if (auto i = node.value_exact<int64_t>()) return std::to_string(*i);
      if (auto d = node.value_exact<double>()) {
        char buffer[64];
        auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, *d);
        if (ec == std::errc()) return std::string(buffer, end);
      }
      break;
    case KeyType::kBoolean:
      if (auto b = node.value_exact<bool>()) return *b ? "true" : "false";
      break;
  }
  return std::nullopt;
}

Result<FileSetting> ReadValue(const std::string& path, const std::string& key, const KeySpec& spec,
                              const toml::node& node) {
  FileSetting setting{{}, Where(path, node.source())};
  std::string expected = spec.repeatable
                             ? std::string("an array of ") + PluralName(spec.type) + " (or one)"
                             : TypeName(spec.type);
  auto wrong_type = [&](const toml::node& got_node) {
    std::ostringstream got;
    got << got_node.type();
    return Invalid(setting.where + ": " + key + " must be " + expected + ", got " +
                       (&got_node == &node ? "a TOML " : "an array holding a TOML ") + got.str(),
                   key);
  };
  if (const toml::array* array = node.as_array()) {
    if (!spec.repeatable) return wrong_type(node);
    for (const toml::node& element : *array) {
      auto text = ScalarText(element, spec.type);
      if (!text) return wrong_type(element);
      setting.values.push_back(std::move(*text));
    }
    return setting;
  }
  auto text = ScalarText(node, spec.type);
  if (!text) return wrong_type(node);
  setting.values.push_back(std::move(*text));
  return setting;
}

}  // namespace

Result<FileSettings> ParseConfigText(std::string_view text, const std::string& path,
                                     const std::vector<KeySpec>& keys) {
  toml::table table;
  try {
    table = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return Invalid(path + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                   ": TOML syntax error: " + std::string(e.description()));
  }
  FileSettings settings;
  for (const auto& [toml_key, node] : table) {
    std::string key(toml_key.str());
    std::string where = Where(path, toml_key.source());
    auto spec =
        std::find_if(keys.begin(), keys.end(), [&](const KeySpec& s) { return s.key == key; });
    if (spec == keys.end()) {
      if (node.is_table()) {
        return Invalid(where + ": unexpected table [" + key +
                           "]: keys are flat, spelled like the flags (listen = \"...\")",
                       key);
      }
      return Invalid(where + ": unknown key '" + key + "'" + Suggestion(key, keys), key);
    }
    auto setting = ReadValue(path, key, *spec, node);
    if (!setting) return setting.error();
    settings.emplace(key, std::move(*setting));
  }
  return settings;
}

Result<FileSettings> ReadConfigFile(const std::string& path, const std::vector<KeySpec>& keys) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Invalid("cannot read config file " + path + ": it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Invalid("cannot read config file " + path + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Invalid("cannot read config file " + path + ": " + std::strerror(errno));
  if (text.view().size() > kMaxConfigBytes) {
    return Invalid("config file " + path + " is larger than 1 MiB");
  }
  return ParseConfigText(text.view(), path, keys);
}

}  // namespace latchkey::app
