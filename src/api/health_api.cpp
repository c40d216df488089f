#include "api/health_api.h"

#include "http/error_mapping.h"

namespace latchkey::api {

http::Response HealthApi::Healthz(const Context&) {
  return http::JsonResponse(200, R"({"status":"ok"})");
}

http::Response HealthApi::Readyz(const Context&) {
  if (auto r = db_.Ping(); !r) {
    return http::ErrorResponse(MakeError(Errc::kStorageUnavailable, "The database is unavailable"));
  }
  return http::JsonResponse(200, R"({"status":"ready"})");
}

}  // namespace latchkey::api
