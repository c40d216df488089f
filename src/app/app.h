// The composition root: builds the keyring, hasher, store, services, router and server from
// Settings, and runs them. The only place that knows every concrete type.
#pragma once

#include "app/config.h"

namespace latchkey::app {

// `latchkey serve`: blocks until SIGINT/SIGTERM. Throws std::runtime_error on a startup
// failure (caught in main, which exits non-zero with the message).
void Serve(const Settings& settings);

// `latchkey migrate`: creates the data dir and brings the database to the newest schema.
void Migrate(const Settings& settings);

// `latchkey keys rotate`: appends a new key to the key file (creating it if needed).
void RotateKeys(const Settings& settings);

// `latchkey keys list`: prints each key's fingerprint (SHA-256 prefix, never the key).
void ListKeys(const Settings& settings);

}  // namespace latchkey::app
