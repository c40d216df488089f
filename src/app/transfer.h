// `latchkey export` / `latchkey import`: users and their password hashes as JSON lines, so
// that a deployment can move between databases (SQLite -> PostgreSQL) without a reset.
//
// One user per line, UTF-8, no other lines:
//   {"username":"alice","name":"Alice","password_hash":"$argon2id$v=19$...",
//    "created_at":"2026-11-29T19:50:00Z"}
// plus "disabled_at" (RFC 3339) for a disabled user, who stays disabled on the new database.
// Sessions, throttling counters and audit events are not moved: users log in again on the
// new database (their passwords verify as before: the hash formats are the same).
#pragma once

#include <iosfwd>

#include "store/database.h"

namespace latchkey::app {

// Writes every user, in id order. Returns how many. Throws std::runtime_error when the
// database fails.
long ExportUsers(store::Database& db, std::ostream& out);

struct ImportSummary {
  long imported = 0;
  long skipped = 0;  // username already taken on the target (case-insensitive)
};

// Reads every line first and checks it (JSON object with exactly those four string fields; a
// valid username; a display name of the allowed form; a password hash format that Latchkey
// verifies; an RFC 3339 time): the first bad line throws std::invalid_argument naming its
// number, before anything is written. Then inserts each user; a taken username is skipped.
// Throws std::runtime_error when the database fails (users imported so far stay: running
// the import again skips them).
ImportSummary ImportUsers(store::Database& db, std::istream& in);

}  // namespace latchkey::app
