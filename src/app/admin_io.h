// Terminal input and output of the admin commands (`latchkey user ...`, `latchkey session
// ...`): reading a new password without it ever being a flag value (visible in `ps`) or
// echoed, confirmations, aligned tables and the one-line error message.
// Thread-safety: for the main thread of a one-shot command.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/errc.h"

namespace latchkey::app {

// A new password: from_stdin reads the first line of stdin (a trailing "\r" dropped);
// otherwise, on a terminal, prompts twice on /dev/tty with echo off and compares.
// Errors: kInvalidInput when neither is possible (stdin not a terminal without
// --password-stdin), stdin is empty, or the two entries differ.
Result<std::string> ReadNewPassword(bool from_stdin);

// Asks `question` [y/N] on the terminal; true only for "y" or "yes". False when stdin is not
// a terminal (callers then demand --yes).
bool Confirm(const std::string& question);

bool StdinIsTerminal();

// Prints rows under headers, each column as wide as its widest cell, two spaces apart.
void PrintTable(const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows);

// "latchkey: <message>" on stderr; returns the exit code 1 (failure).
int Fail(std::string_view message);

}  // namespace latchkey::app
