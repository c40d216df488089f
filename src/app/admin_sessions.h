// `latchkey session list|revoke`: see app/admin_commands.h for exit codes. A session is shown
// by its public id (the one GET /api/auth/sessions gives), never by its token or token hash.
#pragma once

#include <string_view>

#include "app/admin_context.h"

namespace latchkey::app {

// `command` is "list" or "revoke".
int RunSessionCommand(std::string_view command, const AdminOptions& options);

}  // namespace latchkey::app
