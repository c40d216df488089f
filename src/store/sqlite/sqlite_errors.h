// The one place where SQLite failures become Errc: the client sees a generic message, the
// log gets the driver's.
// Thread-safety: safe from many threads (each with its own connection).
#pragma once

#include "base/errc.h"
#include "store/sqlite/connection.h"

namespace latchkey::store::sqlite {

// Logs that `what` failed on `conn` with SQLite's message and code; kStorageUnavailable.
Error StorageError(Connection& conn, const char* what);
// The same for a stage of `what` ("prepare", "begin", "commit").
Error StorageError(Connection& conn, const char* stage, const char* what);

}  // namespace latchkey::store::sqlite
