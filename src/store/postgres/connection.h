// Thin RAII wrappers over libpq: a connection with a cache of prepared statements, a query
// result, a text-format parameter and a transaction.
//
// SQL text comes only from named constants; every value is a bound parameter, sent in text
// format (integers as decimal text). A connection is used by one thread at a time (the pool
// hands it out exclusively). Failures surface as QueryResult values carrying the SQLSTATE;
// postgres_errors.cpp maps them to Errc in one place. Nothing here logs a parameter value.
//
// Every round trip has a client-side deadline (libpq's asynchronous API and poll()): a
// stalled server (stopped process, stuck storage: the kernel still acknowledges, so neither
// TCP keepalives nor the server's statement_timeout help) fails the call instead of hanging
// it. Error texts that may carry the connection string are scrubbed of its secrets
// (conninfo.h). The connection is in connection.cpp, QueryResult in query_result.cpp.
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/tagged.h"
#include "store/postgres/conninfo.h"

namespace latchkey::store::postgres {

// Client-side deadline of one Exec/ExecScript call: the server's statement_timeout (5 s) plus
// a margin for the round trip.
inline constexpr std::chrono::milliseconds kCallTimeout{6000};

// libpq's message, which may span lines ("...\n\tThis probably means..."), as one log line;
// "unknown libpq error" when empty or null.
std::string LibpqMessageLine(const char* message);

// One bound parameter in text format; Null() is SQL NULL. Copies its value: libpq wants
// NUL-terminated strings and the caller's string_view may not be.
class Param {
 public:
  Param(std::string_view text) : value_(std::string(text)) {}        // NOLINT: implicit by design
  Param(const std::string& text) : value_(text) {}                   // NOLINT: implicit by design
  Param(const char* text) : value_(std::string(text)) {}             // NOLINT: implicit by design
  Param(std::int64_t value) : value_(std::to_string(value)) {}       // NOLINT: implicit by design
  Param(int value) : value_(std::to_string(value)) {}                // NOLINT: implicit by design
  Param(UnixTime t) : Param(ToUnixSeconds(t)) {}                     // NOLINT: implicit by design
  Param(UnixTimeMs t) : Param(ToUnixMillis(t)) {}                    // NOLINT: implicit by design
  Param(Seconds s) : Param(static_cast<std::int64_t>(s.count())) {}  // NOLINT: implicit
  // Ids and hashes with a meaning (base/tagged.h) bind as their value.
  template <class T, class Tag>
  Param(const Tagged<T, Tag>& v) : Param(v.value()) {}  // NOLINT: implicit by design
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
  // lock_timeout (5 s) and idle_in_transaction_session_timeout (10 s). The handshake gives up
  // after connect_timeout or `budget`, whichever is shorter, the settings at most 1 s later;
  // everything gives up as soon as `cancel` becomes true. `cancel` (may be null; must outlive
  // the connection) also aborts every later call within ~100 ms. Returns nullptr on failure
  // with a one-line reason in `error`: libpq's message scrubbed of secrets
  // (ScrubConninfoSecrets), or a fixed text when libpq cannot parse `conninfo` (its parse
  // errors quote the string).
  static std::unique_ptr<Connection> Connect(
      const std::string& conninfo, std::string& error, const std::atomic<bool>* cancel = nullptr,
      std::chrono::milliseconds budget = std::chrono::milliseconds::max());

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs a SQL constant with parameters ($1, $2... in order). The statement is prepared
  // once per connection (keyed by the constant's address, so `sql` must have static storage:
  // never a temporary string's c_str()) and executed by name after.
  //
  // Both Exec and ExecScript give up after call_timeout() (preparation included), or within
  // ~100 ms of the Connect `cancel` flag becoming true: the connection is then marked broken
  // (the pool closes it on release; the server's backend ends when it next reads) and the
  // result is a failure without SQLSTATE (kStorageUnavailable). On a broken connection they
  // fail at once, without a round trip.
  QueryResult Exec(const char* sql, std::initializer_list<Param> params = {});

  // Runs SQL without parameters or preparation (transaction control, SET, LISTEN,
  // migrations: may hold several statements). Reports the first failing statement, else the
  // last statement's result.
  QueryResult ExecScript(const char* sql);

  // Deadline of each later Exec/ExecScript call; kCallTimeout unless changed (migrations wait
  // minutes for another node's lock; the session feed's heartbeat wants an answer sooner).
  void SetCallTimeout(std::chrono::milliseconds timeout) { call_timeout_ = timeout; }
  std::chrono::milliseconds call_timeout() const { return call_timeout_; }

  // True when the connection cannot be used again: libpq reports it bad, a call ran out of
  // time, or the last failure was a connection failure (SQLSTATE class 08, or none at all).
  bool Broken() const;

  // Neither broken nor inside a transaction: fit to go back to the pool.
  bool Reusable() const { return !Broken() && PQtransactionStatus(conn_) == PQTRANS_IDLE; }

  // Checks, without blocking, whether the server has closed the connection while it sat
  // idle (terminated backend, server restart); true when it is still usable.
  bool CheckIdle();

  // The raw handle (in non-blocking mode), for the listener's poll() on PQsocket and
  // PQnotifies. Do not run blocking libpq calls (PQexec...) on it: they have no deadline.
  PGconn* raw() { return conn_; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  void Observe(const QueryResult& result);
  // Sends one command with `send` (a PQsend* call), flushes it and collects its results,
  // all before `deadline`.
  template <typename Send>
  QueryResult RoundTrip(std::chrono::steady_clock::time_point deadline, Send send);
  // Marks the connection broken and describes why (`reason`), as a failure without SQLSTATE.
  QueryResult Abandon(std::string reason);
  // The connection failed under libpq (lost, reset): a failure with libpq's message.
  QueryResult Lost();

  PGconn* conn_;
  bool failed_ = false;  // a connection-level failure was seen, or a call ran out of time
  const std::atomic<bool>* cancel_ = nullptr;  // Connect's `cancel`
  std::vector<std::string> secrets_;           // of the conninfo, scrubbed from libpq's messages
  std::chrono::milliseconds call_timeout_ = kCallTimeout;
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
