#include "store/postgres/query.h"

namespace latchkey::store::postgres {

Result<QueryResult> Exec(Connection& conn, const char* sql, const char* what,
                         std::initializer_list<Param> params) {
  QueryResult r = conn.Exec(sql, params);
  if (!r.ok()) return StorageError(r, what);
  return r;
}

Result<long> Run(Connection& conn, const char* sql, const char* what,
                 std::initializer_list<Param> params) {
  QueryResult r = conn.Exec(sql, params);
  if (!r.ok()) return StorageError(r, what);
  return r.Affected();
}

}  // namespace latchkey::store::postgres
