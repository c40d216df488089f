// The one place an answer is written, whoever produced it: the request loop's response, a
// parse error's 400/413/431, the 503 refusal at the connection cap, and the side listeners'
// answers. It adds what the listener's answers carry, writes under the write timeout, and
// records the request:
//   main listener (kHttp, kHttps): Router::CommonHeaders, X-Request-Id, RecordRequest
//     (metrics and the info log line: http/request_log.h);
//   redirect listener: Router::CommonHeaders only (plain HTTP: no HSTS);
//   metrics listener: nothing added, nothing recorded.
// The Beast message is filled in place inside the coroutine (message.h's GCC 12 note).
// Thread-safety: on the connection's I/O thread; `stream` is the connection's.
#pragma once

#include <chrono>

#include "http/request.h"
#include "http/request_log.h"
#include "http/transport/context.h"
#include "http/transport/executor.h"
#include "http/transport/streams.h"

namespace latchkey::http::transport {

// How an answer is framed and recorded (a plain value: safe to pass into a coroutine).
struct Framing {
  unsigned version = 11;  // the request's HTTP version (HTTP/1.1 when none was read)
  bool keep_alive = false;
  bool head = false;             // Content-Length of the body, but no body
  int route = kUnroutedRequest;  // Dispatch::route, for the record
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

// Writes `response` (moved from) as `listener`'s answer to `request` on `stream`; false when
// the write failed or timed out (the connection is done).
Task<bool> WriteAnswer(TcpStream& stream, const Context& context, Listener listener,
                       const Request& request, Response& response, Framing framing);
Task<bool> WriteAnswer(TlsStream& stream, const Context& context, Listener listener,
                       const Request& request, Response& response, Framing framing);

}  // namespace latchkey::http::transport
