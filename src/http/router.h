// Routes: (method, path pattern) -> route index, for the request pipeline (api/pipeline.h),
// which keeps what each route runs. Matching only: no handlers, no guards. A GET route also
// answers HEAD (RFC 9110 9.3.2). A known path asked with another method is refused here with
// 405 and an Allow header listing HEAD beside GET (RFC 9110 15.5.6).
// Thread-safety: build once at startup, then read-only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/security_headers.h"

namespace latchkey::http {

struct Route {
  Method method;
  std::string path;  // exact, or with "{name}" segments that match one non-empty segment
};

// A request's route: its index and the values of its "{name}" segments; or no route, with
// a 405 to send when the path is known for other methods.
struct RouteMatch {
  int route = -1;  // index in routes(); -1: none
  std::vector<std::string> params;
  std::optional<Response> refusal;  // 405 + Allow
};

class Router {
 public:
  // Returns the route's index.
  int Add(Route route) {
    routes_.push_back(std::move(route));
    return static_cast<int>(routes_.size()) - 1;
  }

  RouteMatch Match(const Request& request) const;

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
};

}  // namespace latchkey::http
