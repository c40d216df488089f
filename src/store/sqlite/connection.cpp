#include "store/sqlite/connection.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace latchkey::store::sqlite {

Connection::Connection(const std::string& path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open database " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  // WAL: readers never block the writer; synchronous=NORMAL in WAL mode loses no committed
  // transaction on a process crash (only on power loss, the last few).
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                             "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=5000"}) {
    if (Exec(pragma) != SQLITE_OK) {
      std::string msg = sqlite3_errmsg(db_);
      sqlite3_close(db_);
      throw std::runtime_error("cannot configure database " + path + ": " + msg);
    }
  }
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

std::unique_ptr<Statement> Connection::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      spdlog::error("sqlite prepare failed: {}", sqlite3_errmsg(db_));
      return nullptr;
    }
    it = cache_.emplace(sql, stmt).first;
  }
  return std::make_unique<Statement>(it->second);
}

int Connection::Exec(const char* sql) {
  // A pragma may return a row (journal_mode does): step through, ignore it.
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (err) {
    spdlog::debug("sqlite exec: {}", err);
    sqlite3_free(err);
  }
  return rc;
}

ConnectionPool::ConnectionPool(const std::string& path, std::size_t size) {
  if (size == 0) size = 1;
  for (std::size_t i = 0; i < size; ++i) free_.push_back(std::make_unique<Connection>(path));
  size_ = size;
}

ConnectionPool::Lease ConnectionPool::Acquire() {
  std::unique_lock lock(mu_);
  ++waiting_;
  cv_.wait(lock, [&] { return !free_.empty(); });
  --waiting_;
  auto conn = std::move(free_.back());
  free_.pop_back();
  return Lease(*this, std::move(conn));
}

PoolUsage ConnectionPool::usage() {
  std::lock_guard lock(mu_);
  return {size_, size_ - free_.size(), waiting_};
}

void ConnectionPool::Release(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

}  // namespace latchkey::store::sqlite
