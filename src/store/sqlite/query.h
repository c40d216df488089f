// The statement helper of the SQLite stores: one call prepares a SQL constant (cached per
// connection), binds its arguments to ?1, ?2, ... by type, steps it and maps a failure to
// Errc once (sqlite_errors.h), so a store method is its SQL and what its rows mean.
//
//   Query q(conn, kSelectUserById, "user lookup", id);   // prepare + bind
//   Result<bool> row = q.Step();                          // true at a row, false when done
//   Result<long> changed = Run(conn, kDeleteUser, "delete user", id);
//
// Bindable: text (std::string, std::string_view, const char*), integers, bool (0 or 1),
// a Tagged id or hash (its value), UnixTime and Seconds (whole seconds), UnixTimeMs (ms),
// std::nullopt and an empty std::optional (NULL). A Query must go before the connection's
// lease does (declare it after the lease). Not thread-safe: one Query, one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/errc.h"
#include "base/tagged.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_errors.h"

namespace latchkey::store::sqlite {

namespace detail {

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

template <typename T>
struct IsTagged : std::false_type {};
template <typename T, typename Tag>
struct IsTagged<Tagged<T, Tag>> : std::true_type {};

template <typename T>
void BindValue(Statement& stmt, int index, const T& value) {
  if constexpr (std::is_same_v<T, std::nullopt_t>) {
    stmt.BindNull(index);
  } else if constexpr (IsTagged<T>::value) {
    BindValue(stmt, index, value.value());
  } else if constexpr (std::is_same_v<T, UnixTime>) {
    stmt.Bind(index, ToUnixSeconds(value));
  } else if constexpr (std::is_same_v<T, UnixTimeMs>) {
    stmt.Bind(index, ToUnixMillis(value));
  } else if constexpr (std::is_same_v<T, Seconds>) {
    stmt.Bind(index, static_cast<std::int64_t>(value.count()));
  } else if constexpr (IsOptional<T>::value) {
    if (value) {
      BindValue(stmt, index, *value);
    } else {
      stmt.BindNull(index);
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    stmt.Bind(index, std::int64_t{value ? 1 : 0});
  } else if constexpr (std::is_integral_v<T>) {
    stmt.Bind(index, static_cast<std::int64_t>(value));
  } else {
    stmt.Bind(index, std::string_view(value));
  }
}

}  // namespace detail

class Query {
 public:
  // Prepares `sql` (a constant: see Connection::Prepare) and binds `args` in order. `what`
  // names the statement in the log when it fails.
  template <typename... Args>
  Query(Connection& conn, const char* sql, const char* what, const Args&... args)
      : conn_(conn), what_(what), stmt_(conn.Prepare(sql)) {
    if (!stmt_) return;
    int index = 0;
    (detail::BindValue(*stmt_, ++index, args), ...);
  }

  // One step: true at a row (read it with Int/Text/IsNull), false when done.
  // Errors: kStorageUnavailable (logged).
  Result<bool> Step();

  // Steps a statement that returns no rows to its end: the rows it changed.
  // Errors: kStorageUnavailable (logged).
  Result<long> Run();
  // Run, but a failure with the extended result code `rc` (a constraint the contract names,
  // e.g. SQLITE_CONSTRAINT_UNIQUE) is `error` instead of kStorageUnavailable.
  Result<long> RunOr(int rc, Error error);

  std::int64_t Int(int col) const { return stmt_->Int(col); }
  std::string Text(int col) const { return stmt_->Text(col); }
  bool IsNull(int col) const { return stmt_->IsNull(col); }
  // NULL reads as 0.
  std::int64_t IntOrZero(int col) const { return IsNull(col) ? 0 : Int(col); }

 private:
  Connection& conn_;
  const char* what_;
  std::unique_ptr<Statement> stmt_;  // nullptr: the prepare failed (reported by Step/Run)
};

// Runs a statement that returns no rows: the rows it changed. Errors: kStorageUnavailable.
template <typename... Args>
Result<long> Run(Connection& conn, const char* sql, const char* what, const Args&... args) {
  return Query(conn, sql, what, args...).Run();
}

// The first row of `sql` as `read` maps it, or nullopt when there is none.
template <typename Read, typename... Args>
auto ReadOne(Connection& conn, const char* sql, const char* what, Read read, const Args&... args)
    -> Result<std::optional<decltype(read(std::declval<const Query&>()))>> {
  using Row = decltype(read(std::declval<const Query&>()));
  Query query(conn, sql, what, args...);
  auto row = query.Step();
  if (!row) return row.error();
  if (!*row) return std::optional<Row>();
  return std::optional<Row>(read(query));
}

// Every row of `sql`, in order, as `read` maps it.
template <typename Read, typename... Args>
auto ReadAll(Connection& conn, const char* sql, const char* what, Read read, const Args&... args)
    -> Result<std::vector<decltype(read(std::declval<const Query&>()))>> {
  std::vector<decltype(read(std::declval<const Query&>()))> rows;
  Query query(conn, sql, what, args...);
  for (;;) {
    auto row = query.Step();
    if (!row) return row.error();
    if (!*row) return rows;
    rows.push_back(read(query));
  }
}

// Runs `body` (returning a Result) inside BEGIN IMMEDIATE ... COMMIT on `conn`: no other
// writer between its statements. An error from `body` rolls everything back and is returned;
// otherwise the transaction commits and `body`'s value is returned. `what` names the
// transaction in the log ("begin <what>", "commit <what>").
template <typename Body>
auto InTransaction(Connection& conn, const char* what, Body body) -> decltype(body()) {
  Transaction tx(conn);
  if (!tx.Began()) return StorageError(conn, "begin", what);
  auto result = body();
  if (!result) return result;  // ~Transaction rolls back
  if (tx.Commit() != SQLITE_OK) return StorageError(conn, "commit", what);
  return result;
}

}  // namespace latchkey::store::sqlite
