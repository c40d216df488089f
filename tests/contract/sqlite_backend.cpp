// The SQLite side of the contract suite: a database file in a temporary directory of its own.
#include <filesystem>
#include <stdexcept>

#include "contract/contract.h"
#include "store/sqlite/connection.h"
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

 private:
  TempDir dir_;
  std::string path_ = (dir_.path() / "latchkey.db").string();
};

}  // namespace

std::unique_ptr<Backend> MakeSqliteBackend() { return std::make_unique<SqliteBackend>(); }

}  // namespace latchkey::testing
