// The PostgreSQL side of the contract suite: a fresh database on the shared test cluster
// (pg/pg_fixture.h), dropped after the test.
#include <stdexcept>

#include "contract/contract.h"
#include "pg/pg_fixture.h"
#include "store/postgres/postgres_database.h"

namespace latchkey::testing {
namespace {

class PostgresBackend final : public Backend {
 public:
  std::unique_ptr<store::Database> Open(std::size_t pool_size) override {
    return std::make_unique<store::postgres::PostgresDatabase>(scratch_.url(), pool_size);
  }
  void Exec(const char* sql) override {
    auto r = scratch_.Connect()->ExecScript(sql);
    if (!r.ok()) throw std::runtime_error(r.message());
  }

 private:
  PgScratchDatabase scratch_;
};

}  // namespace

std::unique_ptr<Backend> MakePostgresBackend() { return std::make_unique<PostgresBackend>(); }

}  // namespace latchkey::testing
