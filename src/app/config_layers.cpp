#include "app/config_layers.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <utility>

namespace latchkey::app {
namespace {

constexpr std::string_view kConfigFlag = "config";  // the option naming the file: not a key

// Hides every option's environment variable name from CLI11 while it parses the command line
// (so that a value it leaves set came from a flag), and gives them back after, when the help
// text is printed and ParseLayered reads them.
class HiddenEnvNames {
 public:
  explicit HiddenEnvNames(CLI::App& app) { Hide(app); }
  ~HiddenEnvNames() {
    for (auto& [option, name] : hidden_) option->envname(std::move(name));
  }
  HiddenEnvNames(const HiddenEnvNames&) = delete;
  HiddenEnvNames& operator=(const HiddenEnvNames&) = delete;

 private:
  void Hide(CLI::App& app) {
    for (CLI::Option* option : app.get_options()) {
      if (option->get_envname().empty()) continue;
      hidden_.emplace_back(option, option->get_envname());
      option->envname("");
    }
    for (CLI::App* sub : app.get_subcommands({})) Hide(*sub);
  }

  std::vector<std::pair<CLI::Option*, std::string>> hidden_;
};

std::string LongName(const CLI::Option& option) {
  return option.get_lnames().empty() ? std::string() : option.get_lnames().front();
}

bool IsSetting(const CLI::Option& option) {
  return !option.get_envname().empty() && !LongName(option).empty() &&
         LongName(option) != kConfigFlag;
}

std::string Getenv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? value : "";
}

// Gives `values` to `option` and runs its conversion and checks into the bound variable.
Result<void> Apply(CLI::Option& option, const std::vector<std::string>& values,
                   const ConfigLayers& layers) {
  option.add_result(values);
  try {
    option.run_callback();
  } catch (const CLI::ParseError& e) {
    return MakeError(Errc::kInvalidInput, layers.Rename(e.what()), LongName(option));
  }
  return {};
}

// The --config option of `cmd`, if it has one: the file's path, from the command line or its
// environment variable (set into the option's variable too).
Result<void> FindConfigFile(CLI::App& cmd, ConfigLayers& layers) {
  CLI::Option* option = cmd.get_option_no_throw("--" + std::string(kConfigFlag));
  if (!option) return {};
  if (option->count() > 0) {
    layers.config_from = "--config";
    layers.config_file = option->results().empty() ? "" : option->results().front();
  } else if (std::string env = Getenv(option->get_envname()); !env.empty()) {
    layers.config_from = option->get_envname();
    layers.config_file = env;
    if (auto applied = Apply(*option, {env}, layers); !applied) return applied.error();
  }
  if (layers.config_file.empty() && !layers.config_from.empty()) {
    return MakeError(Errc::kInvalidInput, layers.config_from + " must name a file");
  }
  return {};
}

// The keys of every command: one file serves them all (`keys rotate` and `export` read the
// file written for `serve`), and only a key that no command knows is an error.
void AllKeys(CLI::App& app, std::vector<KeySpec>& keys) {
  for (CLI::Option* option : app.get_options()) {
    if (!IsSetting(*option)) continue;
    KeySpec spec = KeySpecOf(*option);
    auto same = [&](const KeySpec& k) { return k.key == spec.key; };
    if (std::none_of(keys.begin(), keys.end(), same)) keys.push_back(std::move(spec));
  }
  for (CLI::App* sub : app.get_subcommands({})) AllKeys(*sub, keys);
}

Result<void> LayerCommand(CLI::App& cmd, ConfigLayers& layers) {
  std::size_t first = layers.settings.size();
  for (CLI::Option* option : cmd.get_options()) {
    if (IsSetting(*option)) layers.settings.push_back({KeySpecOf(*option), {}, {}, {}, {}, option});
  }
  if (auto found = FindConfigFile(cmd, layers); !found) return found.error();
  FileSettings file;
  if (!layers.config_file.empty()) {
    CLI::App* root = &cmd;
    while (root->get_parent()) root = root->get_parent();
    std::vector<KeySpec> keys;
    AllKeys(*root, keys);
    auto read = ReadConfigFile(layers.config_file, keys);
    if (!read) return read.error();
    file = std::move(*read);
  }
  // Every origin is known before any value is applied, so that a conversion error names
  // the right one.
  for (std::size_t i = first; i < layers.settings.size(); ++i) {
    SettingOrigin& s = layers.settings[i];
    std::string env = Getenv(s.option->get_envname());
    auto in_file = file.find(s.spec.key);
    if (s.option->count() > 0) {
      s.source = ConfigSource::kFlag;
      s.name = "--" + s.spec.key;
      s.values = s.option->results();
    } else if (!env.empty()) {
      s.source = ConfigSource::kEnv;
      s.name = s.option->get_envname();
      s.values = {env};
    } else if (in_file != file.end()) {
      s.source = ConfigSource::kFile;
      s.where = in_file->second.where;
      s.name = s.spec.key + " (" + s.where + ")";
      s.values = in_file->second.values;
    } else {
      s.name = "--" + s.spec.key;
    }
  }
  for (std::size_t i = first; i < layers.settings.size(); ++i) {
    SettingOrigin& s = layers.settings[i];
    if (s.source != ConfigSource::kEnv && s.source != ConfigSource::kFile) continue;
    // `trusted-proxy = []`: CLI11 cannot take zero values; every list's default is empty.
    if (s.values.empty()) continue;
    if (auto applied = Apply(*s.option, s.values, layers); !applied) return applied.error();
    // CLI11 splits a repeatable option's text at its delimiter ("a,b" in the environment).
    s.values = s.option->results();
  }
  return {};
}

Result<void> LayerParsed(CLI::App& app, ConfigLayers& layers) {
  if (app.parsed() || !app.get_parent()) {
    if (auto layered = LayerCommand(app, layers); !layered) return layered;
  }
  for (CLI::App* sub : app.get_subcommands()) {
    if (auto layered = LayerParsed(*sub, layers); !layered) return layered;
  }
  return {};
}

}  // namespace

std::string EnvNameOf(std::string_view flag) {
  while (flag.starts_with('-')) flag.remove_prefix(1);
  std::string env = "LATCHKEY_";
  for (char ch : flag) {
    env += ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return env;
}

KeySpec KeySpecOf(const CLI::Option& option) {
  KeySpec spec;
  spec.key = LongName(option);
  spec.repeatable = option.get_items_expected_max() > 1;
  std::string type = option.get_type_name();
  type = type.substr(0, type.find(':'));  // "TEXT:{argon2id,bcrypt}": a check's description
  if (option.get_type_size_max() == 0 || type == "BOOLEAN") {
    spec.type = KeyType::kBoolean;
  } else if (type == "INT" || type == "UINT") {
    spec.type = KeyType::kInteger;
  } else if (type == "FLOAT") {
    spec.type = KeyType::kFloat;
  }
  return spec;
}

std::string ConfigLayers::Rename(std::string_view message) const {
  std::string out;
  std::size_t i = 0;
  while (i < message.size()) {
    bool starts_flag = message.compare(i, 2, "--") == 0 && (i == 0 || message[i - 1] != '-');
    if (!starts_flag) {
      out += message[i++];
      continue;
    }
    std::size_t end = i + 2;
    while (end < message.size() &&
           (std::islower(static_cast<unsigned char>(message[end])) ||
            std::isdigit(static_cast<unsigned char>(message[end])) || message[end] == '-')) {
      ++end;
    }
    std::string_view key = message.substr(i + 2, end - i - 2);
    const SettingOrigin* match = nullptr;
    for (const SettingOrigin& s : settings) {
      if (s.spec.key == key) match = &s;
    }
    out += match ? match->name : std::string(message.substr(i, end - i));
    i = end;
  }
  return out;
}

Result<ConfigLayers> ParseLayered(CLI::App& cli, int argc, const char* const* argv) {
  {
    HiddenEnvNames hidden(cli);
    cli.parse(argc, argv);
  }
  ConfigLayers layers;
  if (auto layered = LayerParsed(cli, layers); !layered) return layered.error();
  return layers;
}

}  // namespace latchkey::app
