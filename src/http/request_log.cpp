#include "http/request_log.h"

#include <spdlog/spdlog.h>

#include "base/log_fields.h"

namespace latchkey::http {
namespace {

bool IsAssetPath(std::string_view path) { return path.rfind("/assets/", 0) == 0; }

}  // namespace

std::string_view RouteLabel(const Router& router, int route, std::string_view path) {
  if (route >= 0 && static_cast<std::size_t>(route) < router.routes().size()) {
    return router.routes()[static_cast<std::size_t>(route)].path;
  }
  if (route == kUnroutedRequest || Router::IsApiPath(path)) return "other";
  return IsAssetPath(path) ? "assets" : "page";
}

namespace {

void Observe(metrics::Registry* metrics, const Request& request, int route, int status,
             std::uint64_t nanos) {
  auto method = static_cast<std::size_t>(request.method);
  if (metrics) {
    std::size_t slot = metrics->OtherSlot();
    if (route >= 0) {
      slot = static_cast<std::size_t>(route);
    } else if (route != kUnroutedRequest && !Router::IsApiPath(request.path)) {
      slot = IsAssetPath(request.path) ? metrics->AssetsSlot() : metrics->PageSlot();
    }
    metrics->ObserveRequest(slot, method, status, nanos);
  }
}

std::string_view MethodName(const Request& request) {
  auto method = static_cast<std::size_t>(request.method);
  return method < metrics::kMethodNames.size() ? metrics::kMethodNames[method] : "OTHER";
}

}  // namespace

void RecordRequest(metrics::Registry* metrics, const Router& router, const Request& request,
                   int route, int status, std::uint64_t nanos, std::size_t bytes) {
  Observe(metrics, request, route, status, nanos);
  if (!spdlog::should_log(spdlog::level::info)) return;
  std::string_view method_name = MethodName(request);
  LogEvent(spdlog::level::info, "request",
           {{"method", method_name},
            {"route", RouteLabel(router, route, request.path)},
            {"status", std::int64_t{status}},
            {"duration_ms", Fixed3{static_cast<double>(nanos) / 1e6}},
            {"request_id", std::string_view(request.request_id)},
            {"ip", request.client_ip.empty() ? std::string_view("-")
                                             : std::string_view(request.client_ip)},
            {"bytes", static_cast<std::int64_t>(bytes)}});
}

}  // namespace latchkey::http

namespace latchkey::http {

void RecordRequest(metrics::Registry* metrics, const Router& router, const Request& request,
                   int route, int status, std::uint64_t nanos, std::size_t bytes,
                   UpstreamTiming upstream) {
  Observe(metrics, request, route, status, nanos);
  if (!spdlog::should_log(spdlog::level::info)) return;
  LogEvent(spdlog::level::info, "request",
           {{"method", MethodName(request)},
            {"route", RouteLabel(router, route, request.path)},
            {"status", std::int64_t{status}},
            {"duration_ms", Fixed3{static_cast<double>(nanos) / 1e6}},
            {"upstream_status", std::int64_t{upstream.status}},
            {"upstream_ms", Fixed3{static_cast<double>(upstream.nanos) / 1e6}},
            {"request_id", std::string_view(request.request_id)},
            {"ip", request.client_ip.empty() ? std::string_view("-")
                                             : std::string_view(request.client_ip)},
            {"bytes", static_cast<std::int64_t>(bytes)}});
}

}  // namespace latchkey::http
