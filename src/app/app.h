// The composition root: builds the keyring, hasher, store, services, router and server from
// Settings, and runs them. The only place that knows every concrete type.
#pragma once

#include <memory>
#include <string>

#include "app/config.h"

namespace latchkey::store {
class Database;
}  // namespace latchkey::store

namespace latchkey::app {

// Opens the configured database with pool_size connections and migrates it (a SQLite file's
// directory is created owner-only first). Throws std::runtime_error. For the admin commands.
std::unique_ptr<store::Database> OpenConfiguredDatabase(const Settings& settings,
                                                        std::size_t pool_size);

// `latchkey serve`: blocks until SIGINT/SIGTERM. Throws std::runtime_error on a startup
// failure (caught in main, which exits non-zero with the message).
void Serve(const Settings& settings);

// `latchkey migrate`: creates the data dir and brings the database to the newest schema.
void Migrate(const Settings& settings);

// `latchkey export`: users as JSON lines (app/transfer.h) to `output` ("" or "-": stdout).
void Export(const Settings& settings, const std::string& output);

// `latchkey import`: users from JSON lines in `input` ("" or "-": stdin); prints a summary.
// Throws std::invalid_argument naming the first bad line (nothing written).
void Import(const Settings& settings, const std::string& input);

// `latchkey keys rotate`: appends a new key to the key file (creating it if needed).
void RotateKeys(const Settings& settings);

// `latchkey keys list`: prints each key's fingerprint (SHA-256 prefix, never the key).
void ListKeys(const Settings& settings);

}  // namespace latchkey::app
