// The SQLite side of the contract suite: a database file in a temporary directory of its own.
#include <filesystem>
#include <stdexcept>

#include "contract/contract.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/outgoing_mail_insert.h"
#include "store/sqlite/sqlite_database.h"
#include "unit/test_support.h"

namespace latchkey::testing {
namespace {

class SqliteBackend final : public Backend {
 public:
  std::unique_ptr<store::Database> Open(std::size_t pool_size) override {
    return std::make_unique<store::sqlite::SqliteDatabase>(path_, pool_size);
  }
  void Exec(const char* sql) override {
    store::sqlite::Connection conn(path_);
    if (conn.Exec(sql) != SQLITE_OK) throw std::runtime_error(conn.ErrorMessage());
  }
  std::int64_t QueryInt(const char* sql) override {
    store::sqlite::Connection conn(path_);
    auto stmt = conn.Prepare(sql);
    if (!stmt || stmt->Step() != SQLITE_ROW) throw std::runtime_error(conn.ErrorMessage());
    return stmt->Int(0);
  }
  Result<std::int64_t> InsertMailInTransaction(const mail::OutgoingMail& mail, UnixTime now,
                                               bool commit) override {
    store::sqlite::Connection conn(path_);
    store::sqlite::Transaction tx(conn);
    if (!tx.Began()) throw std::runtime_error(conn.ErrorMessage());
    auto id = store::sqlite::InsertOutgoingMail(conn, mail, now);
    if (id && commit && tx.Commit() != SQLITE_OK) throw std::runtime_error(conn.ErrorMessage());
    return id;  // not committed: ~Transaction rolls back
  }

 private:
  TempDir dir_;
  std::string path_ = (dir_.path() / "latchkey.db").string();
};

}  // namespace

std::unique_ptr<Backend> MakeSqliteBackend() { return std::make_unique<SqliteBackend>(); }

}  // namespace latchkey::testing
