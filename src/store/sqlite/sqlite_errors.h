// The one place where SQLite failures become Errc: the client sees a generic message, the
// log gets the driver's.
#pragma once

#include "base/errc.h"
#include "store/sqlite/connection.h"

namespace latchkey::store::sqlite {

Error StorageError(Connection& conn, const char* what);

}  // namespace latchkey::store::sqlite
