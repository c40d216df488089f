// store::Database over one SQLite file: the embedded default (one server process owns the
// file; WAL lets its readers run beside its one writer).
// Blocking: call from a worker pool. Thread-safety: safe from many threads.
#pragma once

#include <string>

#include "store/database.h"
#include "store/sqlite/sqlite_security_store.h"
#include "store/sqlite/sqlite_store.h"

namespace latchkey::store::sqlite {

class SqliteDatabase final : public Database {
 public:
  // Opens (creating) the file at `path` with `pool_size` connections and runs migrations.
  // Throws std::runtime_error at startup.
  SqliteDatabase(const std::string& path, std::size_t pool_size)
      : store_(path, pool_size), security_(store_.pool()) {}

  identity::UserStore& users() override { return store_; }
  session::SessionStore& sessions() override { return store_; }
  throttle::ThrottleStore& throttles() override { return security_; }
  audit::EventStore& events() override { return security_; }
  std::string_view dialect() const override { return "sqlite"; }

  Result<void> Ping() override;
  Result<void> ForEachUser(const std::function<void(const identity::UserRecord&)>& sink) override;
  Result<bool> ImportUser(const identity::UserRecord& user) override;
  // One process owns the file: there is no other writer to hear from.
  bool WatchSessionChanges(SessionChangeSink&) override { return false; }

 private:
  SqliteStore store_;
  SqliteSecurityStore security_;
};

}  // namespace latchkey::store::sqlite
