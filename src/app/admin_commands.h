// The admin subcommands of `latchkey`: `user add|list|show|set-password|disable|enable|delete`,
// `session list|revoke` and `mail list|retry|test`, each with --help and the database flags of
// `export` (--data-dir, --db, LATCHKEY_*). They act through flows::AdminService and the store
// contracts. Running servers hear of their changes through the change feed (PostgreSQL:
// NOTIFY; SQLite: the session_changes poll, store/sqlite/change_poller.h); a command that
// changed a user or a session returns only once every running server has applied it, and
// says how many did (app/server_confirmation.h).
// Exit codes: 0 done, 1 failed (not found, taken, invalid password, store error; one line on
// stderr), 2 bad usage or configuration (CLI11's own errors before Run), 3 done but not
// confirmed by every running server within 5 s (one line on stderr naming them).
// Thread-safety: for main's thread.
#pragma once

#include <CLI/CLI.hpp>

#include <vector>

#include "app/admin_context.h"

namespace latchkey::app {

class AdminCommands {
 public:
  using AddDatabaseFlags = void (*)(CLI::App&, ServeConfig&);

  // Adds `user` and `session` with their subcommands to `cli`; add_database_flags is
  // main's, so the flags are spelled (and read from the environment) as everywhere else.
  AdminCommands(CLI::App& cli, AddDatabaseFlags add_database_flags);

  // Whether the command line named one of these commands.
  bool parsed() const;

  // Runs the parsed command; returns the exit code.
  int Run();

 private:
  CLI::App* Add(CLI::App& parent, const char* name, const char* help);

  AdminOptions options_;
  CLI::App* user_ = nullptr;
  CLI::App* session_ = nullptr;
  CLI::App* mail_ = nullptr;
  std::vector<CLI::App*> commands_;  // the leaf commands, in the order added
};

}  // namespace latchkey::app
