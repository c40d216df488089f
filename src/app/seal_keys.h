// The sealing keys (crypto/sealer.h) of a node: <data-dir>/seal.key, or beside --secret-file
// when that is given (Settings::seal_key_file), under the rule of the HMAC keys: with SQLite
// the first start creates the file; with PostgreSQL every node must open what any node sealed,
// so the file is never made up implicitly and `latchkey keys rotate` creates it.
// Thread-safety: startup, one thread.
#pragma once

#include "app/config.h"
#include "crypto/sealer.h"

namespace latchkey::app {

// Loads (SQLite: creating when missing and `create` is set) the sealing keys. Throws
// std::invalid_argument (exit 2) on PostgreSQL when the file is missing, naming it and the
// command that makes it; std::runtime_error on a bad file (crypto/key_file.h).
crypto::Sealer LoadSealer(const Settings& settings, bool create = true);

}  // namespace latchkey::app
