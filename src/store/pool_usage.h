// How busy a connection pool is at one instant (metrics: DB pool usage), the one type both
// dialects' pools report (store/sqlite/connection.h, store/postgres/pool.h) and
// store::Database::pool_usage returns.
// Thread-safety: a plain value.
#pragma once

#include <cstddef>

namespace latchkey::store {

struct PoolUsage {
  std::size_t size = 0;     // connections the pool may hold (--db-pool)
  std::size_t in_use = 0;   // leased now
  std::size_t waiting = 0;  // threads blocked waiting for a free one
};

}  // namespace latchkey::store
