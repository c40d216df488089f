// The reverse proxy's transport (issue 17 section 1): a request whose path goes to an upstream
// (Service::Forwards), read up to its header block by the connection loop, goes through the
// pipeline (api/pipeline.h: the same steps as /api/auth, then the access decision), and, when
// let through, is streamed to the upstream and its answer streamed back:
//   - the body relayed both ways as it arrives (each read passes on what came, at most kChunk
//     bytes), never whole: at most
//     ServerOptions::max_upstream_body bytes towards the upstream (413 beyond);
//   - re-serialised by Beast from parsed fields (http/proxy/header_policy.h), never copied as
//     bytes, so the upstream never sees the client's framing (request smuggling: Beast refuses
//     Content-Length with Transfer-Encoding, and a bare LF or obs-fold, before the pipeline);
//   - deadlines: --upstream-connect-timeout to connect, --upstream-timeout for the response
//     headers and then for each read of the body; the client's body_timeout and write_timeout;
//   - the upstream unreachable: 502 upstream_unavailable; too slow: 504 upstream_timeout;
//     an upstream's own 5xx passes as it came;
//   - the upstream's headers pass without hop-by-hop ones, with Latchkey's security headers
//     added where it set none, and X-Request-Id;
//   - one request-log line with the upstream's status and time; latchkey_upstream_* metrics.
// A refusal (401, 403, 400) is answered before anything is sent upstream; the client's body is
// then read and dropped when it is small (the connection stays usable), else the connection
// closes after the answer.
// Thread-safety: on the connection's I/O thread.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "http/transport/context.h"
#include "http/transport/message.h"
#include "http/transport/streams.h"

namespace latchkey::http::transport {

using HeaderParser = bhttp::request_parser<bhttp::empty_body>;

// Serves the request whose header block `head` holds; true when the connection may read
// another request.
Task<bool> ForwardRequest(TcpStream& stream, beast::flat_buffer& buffer, HeaderParser& head,
                          const Peer& peer, Listener listener, const Context& context);
Task<bool> ForwardRequest(TlsStream& stream, beast::flat_buffer& buffer, HeaderParser& head,
                          const Peer& peer, Listener listener, const Context& context);

}  // namespace latchkey::http::transport
