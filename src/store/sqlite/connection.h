// Thin RAII wrappers over the SQLite C API: a connection with a cache of prepared statements,
// a statement with bound parameters, and a fixed pool of connections.
//
// SQL text comes only from named constants; every value is a bound parameter. A connection
// is used by one thread at a time (the pool hands it out exclusively). Errors surface as
// sqlite result codes; sqlite_store.cpp maps them to Errc in one place.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/pool_usage.h"

namespace latchkey::store::sqlite {

// A prepared statement, reset and unbound when the Statement handle goes away.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  Statement& Bind(int index, std::string_view text) {
    rc_ = Merge(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                                  SQLITE_TRANSIENT));
    return *this;
  }
  Statement& Bind(int index, std::int64_t value) {
    rc_ = Merge(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }

  Statement& BindNull(int index) {
    rc_ = Merge(sqlite3_bind_null(stmt_, index));
    return *this;
  }

  // SQLITE_ROW, SQLITE_DONE or an error code (a bind error is reported here).
  int Step() { return rc_ != SQLITE_OK ? rc_ : sqlite3_step(stmt_); }

  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }

 private:
  int Merge(int rc) const { return rc_ != SQLITE_OK ? rc_ : rc; }
  sqlite3_stmt* stmt_;
  int rc_ = SQLITE_OK;
};

class Connection {
 public:
  // Opens (creating if needed) the database file and applies the connection pragmas
  // (WAL, synchronous=NORMAL, foreign_keys=ON, busy_timeout). Throws std::runtime_error.
  explicit Connection(const std::string& path);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // A cached prepared statement for this SQL constant. Returns nullptr on a prepare error
  // (a bug in our SQL: logged).
  std::unique_ptr<Statement> Prepare(const char* sql);

  // Runs SQL without results (pragmas, transaction control, migrations); returns sqlite rc.
  int Exec(const char* sql);

  std::int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  int ExtendedErrcode() const { return sqlite3_extended_errcode(db_); }
  const char* ErrorMessage() const { return sqlite3_errmsg(db_); }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;  // keyed by the SQL constant's address
};

// A fixed set of connections; Acquire blocks until one is free. WAL lets readers run beside
// the one writer; writers queue on SQLite's lock (busy_timeout).
class ConnectionPool {
 public:
  ConnectionPool(const std::string& path, std::size_t size);

  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_.Release(std::move(conn_)); }
    Connection* operator->() { return conn_.get(); }
    Connection& operator*() { return *conn_; }

   private:
    ConnectionPool& pool_;
    std::unique_ptr<Connection> conn_;
  };

  Lease Acquire();

  // Connections in all, leased now, and threads waiting for one (metrics).
  PoolUsage usage();

 private:
  void Release(std::unique_ptr<Connection> conn);
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> free_;
  std::size_t size_ = 0;
  std::size_t waiting_ = 0;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Connection& conn) : conn_(conn) { rc_ = conn_.Exec("BEGIN IMMEDIATE"); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (rc_ == SQLITE_OK && !committed_) conn_.Exec("ROLLBACK");
  }
  bool Began() const { return rc_ == SQLITE_OK; }
  int BeginError() const { return rc_; }
  int Commit() {
    int rc = conn_.Exec("COMMIT");
    committed_ = rc == SQLITE_OK;
    return rc;
  }

 private:
  Connection& conn_;
  int rc_;
  bool committed_ = false;
};

}  // namespace latchkey::store::sqlite
