// `latchkey user add|list|show|set-password|disable|enable|delete`: see app/admin_commands.h
// for exit codes. Output for people is a table or "key: value" lines; --json prints one JSON
// value (Boost.JSON). Never prints a password or its hash.
#pragma once

#include <string_view>

#include "app/admin_context.h"

namespace latchkey::app {

// `command` is the subcommand's name ("add", "list", ...).
int RunUserCommand(std::string_view command, const AdminOptions& options);

}  // namespace latchkey::app
