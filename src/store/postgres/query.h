// The statement helper of the PostgreSQL stores: a leased connection, a prepared SQL constant
// run with typed parameters ($1, $2, ... in order; see Param) under the connection's
// deadline, and a failure mapped to Errc once (postgres_errors.h), so a store method is its
// SQL and what its rows mean.
//
//   return WithConnection(pool_, [&](Connection& conn) {
//     return ReadOne(conn, kSelectUserById, "user lookup", ReadUserRow, {id});
//   });
//
// Every round trip keeps Connection's client-side deadline; nothing here logs a parameter.
// Thread-safety: as Connection (one thread per leased connection); Pool is thread-safe.
#pragma once

#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

#include "base/errc.h"
#include "store/postgres/connection.h"
#include "store/postgres/pool.h"
#include "store/postgres/postgres_errors.h"

namespace latchkey::store::postgres {

// Leases a connection of `pool` for `body(Connection&)` (returning a Result). Errors:
// kStorageUnavailable when no connection can be had (Pool::Acquire), else body's.
template <typename Body>
auto WithConnection(Pool& pool, Body body) -> decltype(body(std::declval<Connection&>())) {
  auto lease = pool.Acquire();
  if (!lease) return lease.error();
  return body(**lease);
}

// Runs `sql` with `params`: its result (rows or a row count). Errors: kStorageUnavailable
// (logged as `what`).
Result<QueryResult> Exec(Connection& conn, const char* sql, const char* what,
                         std::initializer_list<Param> params = {});

// Runs a statement that returns no rows: the rows it inserted, updated or deleted.
Result<long> Run(Connection& conn, const char* sql, const char* what,
                 std::initializer_list<Param> params = {});

// The first row of `sql` as `read(result, row)` maps it, or nullopt when there is none.
template <typename Read>
auto ReadOne(Connection& conn, const char* sql, const char* what, Read read,
             std::initializer_list<Param> params = {})
    -> Result<std::optional<decltype(read(std::declval<const QueryResult&>(), 0))>> {
  using Row = decltype(read(std::declval<const QueryResult&>(), 0));
  auto r = Exec(conn, sql, what, params);
  if (!r) return r.error();
  if (r->rows() == 0) return std::optional<Row>();
  return std::optional<Row>(read(*r, 0));
}

// Every row of `sql`, in order, as `read(result, row)` maps it.
template <typename Read>
auto ReadAll(Connection& conn, const char* sql, const char* what, Read read,
             std::initializer_list<Param> params = {})
    -> Result<std::vector<decltype(read(std::declval<const QueryResult&>(), 0))>> {
  auto r = Exec(conn, sql, what, params);
  if (!r) return r.error();
  std::vector<decltype(read(*r, 0))> rows;
  rows.reserve(static_cast<std::size_t>(r->rows()));
  for (int row = 0; row < r->rows(); ++row) rows.push_back(read(*r, row));
  return rows;
}

// Runs `body()` (returning a Result) inside BEGIN ... COMMIT on `conn` (READ COMMITTED).
// An error from `body` rolls everything back (notifications it queued included) and is
// returned; otherwise the transaction commits and body's value is returned. `what` names
// the transaction in the log ("begin <what>", "commit <what>").
template <typename Body>
auto InTransaction(Connection& conn, const char* what, Body body) -> decltype(body()) {
  Transaction tx(conn);
  if (!tx.Began()) return StorageError(tx.begin_result(), "begin", what);
  auto result = body();
  if (!result) return result;  // ~Transaction rolls back
  if (QueryResult c = tx.Commit(); !c.ok()) return StorageError(c, "commit", what);
  return result;
}

}  // namespace latchkey::store::postgres
