// Thin RAII wrappers over libpq: a connection with a cache of prepared statements, a query
// result, a text-format parameter and a transaction.
//
// SQL text comes only from named constants; every value is a bound parameter, sent in text
// format (integers as decimal text). A connection is used by one thread at a time (the pool
// hands it out exclusively). Failures surface as QueryResult values carrying the SQLSTATE;
// postgres_errors.cpp maps them to Errc in one place. Nothing here logs a parameter value.
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace latchkey::store::postgres {

// One bound parameter in text format; Null() is SQL NULL. Copies its value: libpq wants
// NUL-terminated strings and the caller's string_view may not be.
class Param {
 public:
  Param(std::string_view text) : value_(std::string(text)) {}   // NOLINT: implicit by design
  Param(const std::string& text) : value_(text) {}              // NOLINT: implicit by design
  Param(const char* text) : value_(std::string(text)) {}        // NOLINT: implicit by design
  Param(std::int64_t value) : value_(std::to_string(value)) {}  // NOLINT: implicit by design
  Param(int value) : value_(std::to_string(value)) {}           // NOLINT: implicit by design
  static Param Bool(bool value) { return Param(std::string_view(value ? "t" : "f")); }
  static Param Null() { return Param(); }

  const char* c_str() const { return value_ ? value_->c_str() : nullptr; }

 private:
  Param() = default;
  std::optional<std::string> value_;
};

// The outcome of one statement: rows of a SELECT (or RETURNING), the row count of an
// INSERT/UPDATE/DELETE, or an error with its SQLSTATE. Text and Int read column values of
// the text result format; IsNull tells SQL NULL apart from an empty string.
class QueryResult {
 public:
  // Takes ownership of `res` (may be nullptr: the connection failed); `conn` supplies the
  // message when there is no result.
  QueryResult(PGresult* res, PGconn* conn);
  // A failure detected by us rather than by the server.
  static QueryResult Failure(std::string sqlstate, std::string message);

  // The command or query completed (PGRES_COMMAND_OK or PGRES_TUPLES_OK).
  bool ok() const { return ok_; }
  int rows() const { return res_ ? PQntuples(res_.get()) : 0; }
  std::int64_t Int(int row, int col) const;
  std::string Text(int row, int col) const;
  bool IsNull(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
  bool Bool(int row, int col) const { return PQgetvalue(res_.get(), row, col)[0] == 't'; }
  // Rows inserted, updated or deleted (PQcmdTuples); 0 for other commands.
  long Affected() const;
  // The command tag ("COMMIT", "ROLLBACK", "INSERT 0 1"...).
  std::string_view CommandStatus() const;

  // Five-character SQLSTATE of a failure, empty when none was reported (connection lost).
  const std::string& sqlstate() const { return sqlstate_; }
  // The primary message of a failure (never DETAIL, which may quote parameter values).
  const std::string& message() const { return message_; }
  // The constraint named by a failure (integrity violations), may be empty.
  const std::string& constraint() const { return constraint_; }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> res_;
  bool ok_ = false;
  std::string sqlstate_;
  std::string message_;
  std::string constraint_;
};

class Connection {
 public:
  // Opens a connection to `conninfo` (a postgres:// URL or key=value string; its settings
  // override our defaults: application_name=latchkey, connect_timeout=3 s, TCP keepalives
  // after 5 s idle, every 2 s, 2 probes, tcp_user_timeout=10 s), then sets statement_timeout and
  // lock_timeout (5 s) and idle_in_transaction_session_timeout (10 s). Gives up after 3 s, or as
  // soon as `cancel` becomes true. Returns nullptr on failure with libpq's message in `error` (no
  // password: libpq never quotes it).
  static std::unique_ptr<Connection> Connect(const std::string& conninfo, std::string& error,
                                             const std::atomic<bool>* cancel = nullptr);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs a SQL constant with parameters ($1, $2... in order). The statement is prepared
  // once per connection (keyed by the constant's address, so `sql` must have static storage:
  // never a temporary string's c_str()) and executed by name after.
  QueryResult Exec(const char* sql, std::initializer_list<Param> params = {});

  // Runs SQL without parameters or preparation (transaction control, SET, LISTEN,
  // migrations: may hold several statements).
  QueryResult ExecScript(const char* sql);

  // True when the connection cannot be used again: libpq reports it bad, or the last
  // failure was a connection failure (SQLSTATE class 08, or none at all).
  bool Broken() const;

  // Neither broken nor inside a transaction: fit to go back to the pool.
  bool Reusable() const { return !Broken() && PQtransactionStatus(conn_) == PQTRANS_IDLE; }

  // Checks, without blocking, whether the server has closed the connection while it sat
  // idle (terminated backend, server restart); true when it is still usable.
  bool CheckIdle();

  // The socket, for the listener's poll(); and the raw handle, for LISTEN/NOTIFY.
  PGconn* raw() { return conn_; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  void Observe(const QueryResult& result);

  PGconn* conn_;
  bool failed_ = false;                                    // a connection-level failure was seen
  std::unordered_map<const char*, std::string> prepared_;  // SQL constant -> statement name
};

// BEGIN ... COMMIT, rolled back unless Commit() succeeded (READ COMMITTED, the default).
class Transaction {
 public:
  explicit Transaction(Connection& conn);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // BEGIN succeeded; otherwise begin_result() holds the failure.
  bool Began() const { return begin_.ok(); }
  const QueryResult& begin_result() const { return begin_; }

  // COMMIT. A transaction that failed earlier answers COMMIT with ROLLBACK and no error:
  // that is reported as a failure here (SQLSTATE 25P02).
  QueryResult Commit();

 private:
  Connection& conn_;
  QueryResult begin_;
  bool done_ = false;
};

}  // namespace latchkey::store::postgres
