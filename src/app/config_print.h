// `latchkey serve --print-config`: the effective configuration as a TOML file that
// `--config` reads back, every key in flag order, defaults included, each followed by a
// comment saying where its value came from (default, file:line, env VAR, flag --name).
// Secrets are masked (OWASP Logging Cheat Sheet: never record credentials): the password of a
// database URL (postgres://user:***@host/db, as libpq reads the URL), and the whole value of
// a key named like a secret (password, secret, token, or ending in -password, -secret,
// -token). Keys that name files (secret-file, tls-key, common-passwords) print their path:
// the path is not secret and the file's content is never printed. No flag today holds a
// secret value itself except the password inside `db`.
// Thread-safety: plain functions.
#pragma once

#include <ostream>
#include <string>

#include "app/config_layers.h"

namespace latchkey::app {

// `value` of `key` as it may be shown or logged.
std::string MaskSetting(std::string_view key, const std::string& value);

// Writes the TOML described above; `command` names the command in the header ("serve").
void PrintConfig(const ConfigLayers& layers, const std::string& command, std::ostream& out);

}  // namespace latchkey::app
