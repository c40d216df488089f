// The PostgreSQL side of the contract suite: a fresh database on the shared test cluster
// (pg/pg_fixture.h), dropped after the test.
#include <stdexcept>

#include "contract/contract.h"
#include "pg/pg_fixture.h"
#include "store/postgres/outgoing_mail_insert.h"
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
  std::int64_t QueryInt(const char* sql) override {
    auto r = scratch_.Connect()->Exec(sql);
    if (!r.ok() || r.rows() < 1) throw std::runtime_error(r.message());
    return r.IsNull(0, 0) ? 0 : r.Int(0, 0);
  }
  Result<std::int64_t> InsertMailInTransaction(const mail::OutgoingMail& mail, UnixTime now,
                                               bool commit) override {
    auto conn = scratch_.Connect();
    store::postgres::Transaction tx(*conn);
    if (!tx.Began()) throw std::runtime_error(tx.begin_result().message());
    auto id = store::postgres::InsertOutgoingMail(*conn, mail, now);
    if (id && commit) {
      if (auto c = tx.Commit(); !c.ok()) throw std::runtime_error(c.message());
    }
    return id;  // not committed: ~Transaction rolls back
  }

 private:
  PgScratchDatabase scratch_;
};

}  // namespace

std::unique_ptr<Backend> MakePostgresBackend() { return std::make_unique<PostgresBackend>(); }

}  // namespace latchkey::testing
