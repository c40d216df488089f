#include "store/sqlite/sqlite_errors.h"

#include <spdlog/spdlog.h>

namespace latchkey::store::sqlite {

Error StorageError(Connection& conn, const char* what) {
  spdlog::error("sqlite {}: {} (code {})", what, conn.ErrorMessage(), conn.ExtendedErrcode());
  return MakeError(Errc::kStorageUnavailable);
}

Error StorageError(Connection& conn, const char* stage, const char* what) {
  spdlog::error("sqlite {} {}: {} (code {})", stage, what, conn.ErrorMessage(),
                conn.ExtendedErrcode());
  return MakeError(Errc::kStorageUnavailable);
}

}  // namespace latchkey::store::sqlite
