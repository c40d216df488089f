#include "app/config_print.h"

#include <toml++/toml.h>

#include <array>
#include <charconv>
#include <sstream>

#include "store/open_database.h"

namespace latchkey::app {
namespace {

bool NamesSecretValue(std::string_view key) {
  constexpr std::array<std::string_view, 3> kSecretWords = {"password", "secret", "token"};
  for (std::string_view word : kSecretWords) {
    if (key == word) return true;
    if (key.size() > word.size() && key.ends_with(word) && key[key.size() - word.size() - 1] == '-')
      return true;
  }
  return false;
}

// The value CLI11 holds for a setting left at its default: the bound variable's text.
std::vector<std::string> DefaultValues(const SettingOrigin& s) {
  s.option->capture_default_str();
  std::string text = s.option->get_default_str();
  if (!s.spec.repeatable) return {text};
  // CLI11 writes a container as "[a,b]".
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  std::vector<std::string> values;
  std::size_t start = 0;
  while (!text.empty()) {
    std::size_t comma = text.find(',', start);
    values.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return values;
}

// One value as its TOML type; text that does not read as that type stays a string.
void Insert(toml::array& out, KeyType type, const std::string& text) {
  switch (type) {
    case KeyType::kInteger: {
      int64_t value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec == std::errc() && end == text.data() + text.size()) return void(out.push_back(value));
      break;
    }
    case KeyType::kFloat: {
      double value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec == std::errc() && end == text.data() + text.size()) return void(out.push_back(value));
      break;
    }
    case KeyType::kBoolean:
      if (text == "true" || text == "1") return void(out.push_back(true));
      if (text == "false" || text == "0" || text.empty()) return void(out.push_back(false));
      break;
    case KeyType::kString:
      break;
  }
  out.push_back(text);
}

std::string Comment(const SettingOrigin& s) {
  switch (s.source) {
    case ConfigSource::kDefault:
      return "default";
    case ConfigSource::kFile:
      return "file " + s.where;
    case ConfigSource::kEnv:
      return "env " + s.name;
    case ConfigSource::kFlag:
      return "flag " + s.name;
  }
  return "";
}

}  // namespace

std::string MaskSetting(std::string_view key, const std::string& value) {
  if (value.empty()) return value;
  if (key == "db") return store::MaskDatabaseUrl(value);
  if (NamesSecretValue(key)) return "***";
  return value;
}

void PrintConfig(const ConfigLayers& layers, const std::string& command, std::ostream& out) {
  out << "# latchkey " << command
      << ": effective configuration (precedence: flag > environment > config file > default)\n";
  if (!layers.config_file.empty()) {
    out << "# config file: " << layers.config_file << " (from " << layers.config_from << ")\n";
  }
  for (const SettingOrigin& s : layers.settings) {
    std::vector<std::string> values =
        s.source == ConfigSource::kDefault ? DefaultValues(s) : s.values;
    toml::array array;
    for (const std::string& value : values)
      Insert(array, s.spec.type, MaskSetting(s.spec.key, value));
    toml::table line;
    if (s.spec.repeatable) {
      line.insert(s.spec.key, std::move(array));
    } else if (!array.empty()) {
      line.insert(s.spec.key, std::move(*array.get(0)));
    }
    std::ostringstream text;
    // Double-quoted strings, as the README's examples write them.
    text << toml::toml_formatter(
        line, toml::toml_formatter::default_flags & ~toml::format_flags::allow_literal_strings);
    std::string entry = text.str();
    while (!entry.empty() && entry.back() == '\n') entry.pop_back();
    out << entry << "  # " << Comment(s) << "\n";
  }
}

}  // namespace latchkey::app
