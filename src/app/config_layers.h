// Where each setting of a command comes from, highest precedence first: its flag, its
// environment variable LATCHKEY_<FLAG>, the TOML file of `--config` (app/config_file.h), its
// default. The settings are the command's CLI11 options that have an environment variable
// (every option declared through main.cpp's Flag()): a flag added there is an environment
// variable and a config key at once, with no second list.
//
// Why not CLI11's own config files: CLI11 2.1 applies the file before the environment and
// never lets the environment override a value from the file (flag > file > env), and reads a
// file only for the top-level command. So CLI11 parses the command line alone (environment
// names hidden while it runs) and ParseLayered fills the rest in the order above.
// Thread-safety: startup only, one thread.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "app/config_file.h"
#include "base/errc.h"

namespace latchkey::app {

enum class ConfigSource { kDefault, kFile, kEnv, kFlag };

// One setting of a parsed command.
struct SettingOrigin {
  KeySpec spec;  // key ("listen"), TOML type, repeatable
  ConfigSource source = ConfigSource::kDefault;
  std::string name;                 // as the operator wrote it: "--listen", "LATCHKEY_LISTEN",
                                    // "listen (/etc/latchkey.toml:3)"; "--listen" for a default
  std::vector<std::string> values;  // the text given; empty for a default
  std::string where;                // kFile: "<path>:<line>"
  CLI::Option* option = nullptr;    // the CLI11 option (its bound variable holds the value)
};

// The settings of the parsed command(s), in the order their flags were declared.
struct ConfigLayers {
  std::vector<SettingOrigin> settings;
  std::string config_file;  // the --config file read; empty: none
  std::string config_from;  // "--config" or "LATCHKEY_CONFIG"

  // `message` (app/config.cpp's errors name flags: "--listen must be host:port") with each
  // flag of a setting that did not come from the command line renamed as the operator spelled
  // it: "LATCHKEY_LISTEN must be ...", "listen (/etc/latchkey.toml:3) must be ...".
  std::string Rename(std::string_view message) const;
};

// The environment variable of flag `name` ("--session-lifetime" -> LATCHKEY_SESSION_LIFETIME).
std::string EnvNameOf(std::string_view flag);

// The key spec of a CLI11 option: its long name without dashes, its TOML type from CLI11's
// type name (INT/UINT: integer, FLOAT: number, BOOLEAN or a flag: boolean, else string).
KeySpec KeySpecOf(const CLI::Option& option);

// Parses argv with `cli` (flags only) and fills every setting of each parsed command that the
// command line left unset: from its environment variable, else from the TOML file named by
// the command's `--config` option (or that option's environment variable), else its default.
// The file may hold the keys of any command of `cli` (one file for serve, migrate, keys,
// export...): a command takes the ones it has; a key no command has is an error.
// Throws CLI::ParseError as CLI::App::parse does (help, unknown flag...: hand it to
// cli.exit()). Errors (Errc::kInvalidInput, message naming the file, line and key, or the
// environment variable): an unreadable or invalid file (ReadConfigFile), a value that CLI11
// cannot convert or that fails the option's check. No value is set half-way on error that
// the caller could use: it must stop (exit code 2).
Result<ConfigLayers> ParseLayered(CLI::App& cli, int argc, const char* const* argv);

}  // namespace latchkey::app
