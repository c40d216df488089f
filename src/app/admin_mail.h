// `latchkey mail list|retry|test` (docs/OPERATIONS.md "Mail"; exit codes as in
// app/admin_commands.h). `list` shows the outbox (never a payload: the variables stay sealed);
// `retry <id>` makes a queued message due now, or sends a given-up one again with a fresh set
// of attempts while it still has its content; `test <address>` queues the `test` kind to that
// address, which a running server's sender then delivers through its --mail transport.
#pragma once

#include <string_view>

#include "app/admin_context.h"

namespace latchkey::app {

// `command` is "list", "retry" or "test".
int RunMailCommand(std::string_view command, const AdminOptions& options);

}  // namespace latchkey::app
