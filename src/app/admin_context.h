// What every admin command (`latchkey user ...`, `latchkey session ...`) works with: its
// parsed options, and the database and flows::AdminService they act through.
// Thread-safety: for the main thread of a one-shot command.
#pragma once

#include <memory>
#include <string>

#include "app/config.h"
#include "app/node.h"
#include "base/clock.h"
#include "identity/password_policy.h"
#include "store/database.h"

namespace latchkey::app {

// The values of the admin commands' flags and arguments.
struct AdminOptions {
  ServeConfig config;           // --data-dir, --db, --web-root, --common-passwords, --password-hash
  std::string target;           // <username|id> of `user ...`, <id> of `session revoke`
  std::string name;             // --name of `user add`
  std::string email;            // --email of `user add` (stored unverified)
  std::string user;             // --user of `session list` / `session revoke`
  bool password_stdin = false;  // read the new password from stdin, not a prompt
  bool json = false;            // one JSON value instead of a table
  bool yes = false;             // `user delete` without asking
  std::string state;            // --state of `mail list`: queued | sent | failed; empty: all
  int limit = 50;               // --limit of `mail list`: newest first
};

class AdminContext {
 public:
  // Opens the database (migrating it: the same binary's schema). with_password_rules: loads
  // the common-password list (throws std::runtime_error when it is missing or empty).
  AdminContext(const Settings& settings, bool with_password_rules);

  store::Database& db() { return *db_; }
  flows::AdminService& service() { return core_.admin; }
  UnixTime Now() const { return clock_.Now(); }

 private:
  std::unique_ptr<store::Database> db_;
  SystemClock clock_;
  identity::PasswordPolicy passwords_;
  Core core_;  // app/node.h: the composition root's shared part
};

}  // namespace latchkey::app
