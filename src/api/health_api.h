// Probes for load balancers and orchestrators:
//   GET /healthz  liveness: the process serves HTTP (never touches the database), 200
//                 {"status":"ok"}.
//   GET /readyz   readiness: one round trip to the database. 200 {"status":"ready"}, or 503
//                 storage_unavailable, "The database is unavailable" (a node without its database
//                 should get no traffic; it recovers by itself when the database is back).
// Thread-safety: safe from many threads.
#pragma once

#include "api/pipeline.h"
#include "store/database.h"

namespace latchkey::api {

class HealthApi {
 public:
  explicit HealthApi(store::Database& db) : db_(db) {}

  http::Response Healthz(const Context& c);
  // Blocking (database round trip, bounded by the pool's timeouts): run on the store pool.
  http::Response Readyz(const Context& c);

 private:
  store::Database& db_;
};

}  // namespace latchkey::api
