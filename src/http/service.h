// What the transport asks of the application for each request, as Beast's example server asks
// its handle_request: given a translated Request, either the answer (made on the I/O thread)
// or the work that makes it and the pool it must run on. The application side is
// api::Pipeline; the connection (http/transport/connection.cpp) never knows routes, sessions
// or CSRF.
// Thread-safety: Begin is called from every I/O thread at once; implementations are safe so.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "http/proxy/plan.h"
#include "http/request.h"
#include "http/router.h"

namespace latchkey::http {

// Where work runs. kInline: on the I/O thread (must not block: no store, no hashing).
// kStore: the blocking pool for database work. kHashing: the password-hashing pool (sized to
// the cores, at the lowest CPU priority, so hashing never starves session checks of threads).
enum class Pool { kInline, kStore, kHashing };

// A synchronous request handler (the metrics listener's; tests).
using Handler = std::function<Response(const Request&)>;

// The work that answers one request, run on a pool (Dispatch::work).
using Work = std::function<Response()>;

struct Dispatch {
  std::optional<Response> response;  // answered already
  Pool pool = Pool::kInline;         // else: run `work` there and send what it returns
  Work work;
  int route = -1;  // index in Service::router().routes(); -1: none (metrics and log labels)
  // The reverse proxy (Service::Forwards): the request goes to an upstream once `work`, when
  // set, has run on `pool` and left forward->approved; otherwise the answer is `response` or
  // what `work` returned (a refusal: nothing is sent upstream).
  std::shared_ptr<proxy::ForwardPlan> forward;
};

class Service {
 public:
  virtual ~Service() = default;

  // On the I/O thread; must not block. `request` outlives the work (the connection keeps it
  // until the answer is written). May fill request.path_params.
  virtual Dispatch Begin(Request& request) = 0;

  // True when a request for `path` (Request::path) goes to an upstream (or is refused for its
  // path): the transport then calls Begin once the header block is in, before the body, which
  // it streams (http/transport/forward.h). On the I/O thread; must not block.
  virtual bool Forwards(std::string_view path) const {
    (void)path;
    return false;
  }

  // The routes, for the labels of metrics and request logs.
  virtual const Router& router() const = 0;
};

}  // namespace latchkey::http
