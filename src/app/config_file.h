// The TOML configuration file of `--config`: flat keys spelled like the flags without their
// dashes (`listen = "0.0.0.0:8080"`, `max-connections = 10000`,
// `allowed-origin = ["https://a.example"]`). Parsed with toml++ (TOML 1.0); this file only
// checks the file's shape (known keys, TOML types) and turns each value into the text the
// flag would have received. Which keys exist is the caller's: app/config_layers.cpp derives
// them from the command's flags, so a new flag is a new key with no second list to keep.
// Thread-safety: plain functions over values.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/errc.h"

namespace latchkey::app {

// The TOML type a key takes.
enum class KeyType { kString, kInteger, kFloat, kBoolean };

// One key a command accepts.
struct KeySpec {
  std::string key;  // flag name without "--": "session-idle-timeout"
  KeyType type = KeyType::kString;
  bool repeatable = false;  // an array of `type` (a single value is taken as an array of one)
};

// One key read from the file.
struct FileSetting {
  std::vector<std::string> values;  // as flag text: "8080", "true", one per array element
  std::string where;                // "<path>:<line>", for messages and --print-config
};

using FileSettings = std::map<std::string, FileSetting>;  // by key

// Reads and checks the TOML file at `path` against `keys`.
// Errors (Errc::kInvalidInput, `field` = the key when there is one, `message` naming the file,
// and the line when toml++ gives one): unreadable or missing file, TOML syntax, a key not in
// `keys` (with the nearest key as a suggestion), a table where keys must be flat, a value of
// the wrong TOML type. Values themselves are not judged here (app/config.cpp does that).
// The message never quotes a value: a key in the wrong place could hold a secret.
Result<FileSettings> ReadConfigFile(const std::string& path, const std::vector<KeySpec>& keys);

// Same, over `text` already read; `path` names it in messages.
Result<FileSettings> ParseConfigText(std::string_view text, const std::string& path,
                                     const std::vector<KeySpec>& keys);

}  // namespace latchkey::app
