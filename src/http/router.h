// Routes: (method, path pattern) -> handler, with the executor the handler must run on.
// Every state-changing request (POST, PUT, PATCH, DELETE) under /api passes the origin guard
// and then the CSRF guard before routing, whether or not a route matches. Handlers are plain
// synchronous functions of Request; the server (http/server.cpp) runs each on its route's pool, so
// a handler may block only when its pool says so. Thread-safety: build once at startup, then
// read-only.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/request.h"
#include "http/security_headers.h"

namespace latchkey::http {

// Where a handler runs. kInline: on the I/O thread (must not block: no store, no hashing).
// kStore: the blocking pool for database work. kHashing: the password-hashing pool (sized to
// the cores, so hashing never starves session checks of threads).
enum class Pool { kInline, kStore, kHashing };

using Handler = std::function<Response(const Request&)>;

// Runs first, on the I/O thread, and must not block: answers when it can from memory (a
// cached session), or returns nullopt to have the route's handler run on its pool.
using FastHandler = std::function<std::optional<Response>(const Request&)>;

struct Route {
  Method method;
  std::string path;  // exact, or with "{name}" segments that match one non-empty segment
  Pool pool;
  Handler handler;
  FastHandler fast = nullptr;  // optional
};

// What the server should do with a request: try `fast` inline (if any), else run `handler`
// on `pool`; or send `immediate`.
struct Dispatch {
  const Handler* handler = nullptr;
  Pool pool = Pool::kInline;
  const FastHandler* fast = nullptr;
  std::optional<Response> immediate;
  std::vector<std::string> params;  // to be stored in Request::path_params
  int route = -1;                   // index of the matched route in routes(); -1: none (metrics)
};

class Router {
 public:
  void Add(Route route) { routes_.push_back(std::move(route)); }

  // Runs first for every state-changing request under /api, before the CSRF guard (an
  // Origin check: http/origin_policy.h); a returned response (403) is sent instead.
  void SetOriginGuard(std::function<std::optional<Response>(const Request&)> guard) {
    origin_guard_ = std::move(guard);
  }

  // Runs for every state-changing request under /api that the origin guard let through; a
  // returned response (403) is sent instead of anything else.
  void SetCsrfGuard(std::function<std::optional<Response>(const Request&)> guard) {
    csrf_guard_ = std::move(guard);
  }

  // Handles every request no route matched (page, assets, JSON 404/405). Runs inline.
  void SetFallback(Handler fallback) { fallback_ = std::move(fallback); }

  Dispatch Resolve(const Request& request) const;

  // True when `path` matches `pattern`; appends the "{name}" segment values to params.
  static bool MatchPath(std::string_view pattern, std::string_view path,
                        std::vector<std::string>& params);

  // Headers every response gets, beside the response's own (see the .cpp for the reasons):
  // security headers, and Cache-Control: no-store on API and JSON answers that set none.
  static StaticHeaders CommonHeaders(const Request& request, const Response& response);

  // The same headers appended to response.headers (copies).
  static void ApplyCommonHeaders(const Request& request, Response& response);

  // True for "/api" and paths under "/api/".
  static bool IsApiPath(std::string_view path);

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::function<std::optional<Response>(const Request&)> origin_guard_;
  std::function<std::optional<Response>(const Request&)> csrf_guard_;
  Handler fallback_;
};

}  // namespace latchkey::http
