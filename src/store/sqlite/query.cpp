#include "store/sqlite/query.h"

namespace latchkey::store::sqlite {

Result<bool> Query::Step() {
  if (!stmt_) return StorageError(conn_, "prepare", what_);
  int rc = stmt_->Step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return StorageError(conn_, what_);
}

Result<long> Query::Run() {
  auto row = Step();
  if (!row) return row.error();
  return static_cast<long>(conn_.Changes());
}

Result<long> Query::RunOr(int rc, Error error) {
  if (!stmt_) return StorageError(conn_, "prepare", what_);
  int got = stmt_->Step();
  if (got == rc) return error;
  if (got != SQLITE_DONE && got != SQLITE_ROW) return StorageError(conn_, what_);
  return static_cast<long>(conn_.Changes());
}

}  // namespace latchkey::store::sqlite
