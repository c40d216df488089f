#include "app/admin_commands.h"

#include <sodium.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

#include "app/admin_mail.h"
#include "app/admin_sessions.h"
#include "app/admin_users.h"

namespace latchkey::app {
namespace {

// The rules for new passwords, as `serve` reads them.
void AddPasswordFlags(CLI::App& cmd, AdminOptions& o) {
  cmd.add_flag("--password-stdin", o.password_stdin,
               "Read the new password from the first line of stdin (default: prompt on the "
               "terminal with echo off; never a flag value, which `ps` would show)");
  cmd.add_option("--web-root", o.config.web_root, "The built web client (for the default list)")
      ->envname("LATCHKEY_WEB_ROOT")
      ->capture_default_str();
  cmd.add_option("--common-passwords", o.config.common_passwords,
                 "Passwords refused for new passwords, one per line "
                 "(default <web-root>/assets/common-passwords.txt; required)")
      ->envname("LATCHKEY_COMMON_PASSWORDS");
  cmd.add_option("--password-hash", o.config.password_hash, "Hash for the new password")
      ->envname("LATCHKEY_PASSWORD_HASH")
      ->check(CLI::IsMember({"argon2id", "bcrypt"}))
      ->capture_default_str();
}

}  // namespace

CLI::App* AdminCommands::Add(CLI::App& parent, const char* name, const char* help) {
  CLI::App* cmd = parent.add_subcommand(name, help);
  commands_.push_back(cmd);
  return cmd;
}

AdminCommands::AdminCommands(CLI::App& cli, AddDatabaseFlags add_database_flags) {
  AdminOptions& o = options_;
  user_ = cli.add_subcommand("user",
                             "Manage users (add, list, show, set-password, disable, "
                             "enable, delete)");
  user_->require_subcommand(1);
  CLI::App* add = Add(*user_, "add", "Add a user; prints its id");
  add->add_option("username", o.target, "3-32 characters of A-Z a-z 0-9 . _ -")->required();
  add->add_option("--name", o.name, "Display name (0-100 characters)");
  add->add_option("--email", o.email,
                  "Email address, stored unverified: the user verifies it from the account "
                  "page (\"send again\")");
  AddPasswordFlags(*add, o);
  CLI::App* list = Add(*user_, "list", "List every user: id, name, created, disabled, sessions");
  list->add_flag("--json", o.json, "Print one JSON array");
  CLI::App* show = Add(*user_, "show", "Show one user: id, name, created, disabled, live sessions");
  show->add_option("user", o.target, "Username (any case) or id")->required();
  show->add_flag("--json", o.json, "Print one JSON object");
  CLI::App* set_password =
      Add(*user_, "set-password", "Set a user's password; every session of the user ends");
  set_password->add_option("user", o.target, "Username (any case) or id")->required();
  AddPasswordFlags(*set_password, o);
  CLI::App* disable =
      Add(*user_, "disable", "Disable a user: its sessions end and it cannot log in (403)");
  disable->add_option("user", o.target, "Username (any case) or id")->required();
  CLI::App* enable = Add(*user_, "enable", "Enable a disabled user again");
  enable->add_option("user", o.target, "Username (any case) or id")->required();
  CLI::App* del = Add(*user_, "delete", "Delete a user and its sessions (asks first)");
  del->add_option("user", o.target, "Username (any case) or id")->required();
  del->add_flag("--yes,-y", o.yes, "Do not ask (required when stdin is not a terminal)");

  session_ = cli.add_subcommand("session", "Manage sessions (list, revoke)");
  session_->require_subcommand(1);
  CLI::App* session_list =
      Add(*session_, "list", "List live sessions: public id, user, created, last seen, expires");
  session_list->add_option("--user", o.user, "Only this user's (username or id)");
  session_list->add_flag("--json", o.json, "Print one JSON array");
  CLI::App* revoke =
      Add(*session_, "revoke", "End one session (by its public id) or every session of --user");
  auto* id = revoke->add_option("id", o.target, "The session's public id (`session list`)");
  auto* by_user = revoke->add_option("--user", o.user, "End every session of this user");
  id->excludes(by_user);  // one of them: checked in Run (require_option counts every flag)

  mail_ = cli.add_subcommand("mail", "The mail outbox (list, retry, test)");
  mail_->require_subcommand(1);
  CLI::App* mail_list = Add(*mail_, "list", "List queued, sent and given-up mail, newest first");
  mail_list->add_option("--state", o.state, "Only queued, sent or failed");
  mail_list->add_option("--limit", o.limit, "At most this many")->capture_default_str();
  mail_list->add_flag("--json", o.json, "Print one JSON array");
  CLI::App* mail_retry =
      Add(*mail_, "retry", "Send a queued or given-up message now, with a fresh set of attempts");
  mail_retry->add_option("id", o.target, "The message's id (`mail list`)")->required();
  CLI::App* mail_test = Add(*mail_, "test", "Queue a test message to an address");
  mail_test->add_option("address", o.target, "Where to send it")->required();
  for (CLI::App* cmd : {mail_list, mail_retry, mail_test}) {
    cmd->add_option("--secret-file", o.config.secret_file,
                    "Secret key file; seal.key beside it (default <data-dir>/secret.key)")
        ->envname("LATCHKEY_SECRET_FILE");
  }

  for (CLI::App* cmd : commands_) add_database_flags(*cmd, o.config);
}

bool AdminCommands::parsed() const {
  return user_->parsed() || session_->parsed() || mail_->parsed();
}

int AdminCommands::Run() {
  // Hashing and salts (user add, set-password) need libsodium initialised first.
  if (sodium_init() < 0) {
    std::fprintf(stderr, "latchkey: libsodium failed to initialise\n");
    return 1;
  }
  // stdout carries the answer (ids, tables, JSON): log lines go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("admin"));
  spdlog::set_level(spdlog::level::warn);
  const CLI::App* leaf = nullptr;
  for (const CLI::App* cmd : commands_) {
    if (cmd->parsed()) leaf = cmd;
  }
  if (!leaf) return 2;  // require_subcommand makes this unreachable
  if (leaf->get_name() == "revoke" && options_.target.empty() == options_.user.empty()) {
    std::fprintf(stderr, "latchkey: session revoke needs a session id or --user <username>\n");
    return 2;
  }
  try {
    if (user_->parsed()) return RunUserCommand(leaf->get_name(), options_);
    if (mail_->parsed()) return RunMailCommand(leaf->get_name(), options_);
    return RunSessionCommand(leaf->get_name(), options_);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "latchkey: invalid configuration: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "latchkey: %s\n", e.what());
    return 1;
  }
}

}  // namespace latchkey::app
