// The side listeners' one answer per connection, both plain HTTP, both after reading the
// header block only (no body processing), both closing after the answer:
//   redirect (--redirect-http): 308 to the same host and path over HTTPS on the main
//     listener's port (http/https_redirect.h), 400 without a usable Host, 431 for a header
//     block over the limit; anything else unreadable (timeout, EOF, not HTTP) gets no answer;
//   metrics (--metrics-address): GET or HEAD /metrics answered by options.metrics_handler on
//     the store pool (gauges may read the store; the I/O thread never waits), 404 to anything
//     else; the main listener has no /metrics.
// Neither answer carries X-Request-Id or is recorded (answer.h).
// Thread-safety: on the connection's I/O thread.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>

#include "http/transport/context.h"
#include "http/transport/executor.h"
#include "http/transport/streams.h"

namespace latchkey::http::transport {

Task<void> ServeRedirect(TcpStream& stream, boost::beast::flat_buffer& buffer,
                         const Context& context);

Task<void> ServeMetrics(TcpStream& stream, boost::beast::flat_buffer& buffer,
                        const Context& context);

}  // namespace latchkey::http::transport
