// One client connection, from accept to close (Beast's http_session): admission at the
// connection cap (http/connection_registry.h; refused: 503 on the main plain-HTTP listener, a
// plain close otherwise), the TLS handshake on the TLS listener, then the request loop of the
// main listener or a side listener's one answer (side_listeners.h), then an orderly close
// (close_notify on TLS, bounded by 2 s; then a TCP half-close).
//
// The request loop, per request: the header block (and the keep-alive idle wait and the TLS
// handshake before it) within header_timeout, the body within body_timeout from the moment the
// header is in, each its own deadline (slowloris: a client that trickles bytes is cut off,
// whatever its pace); header_limit (431) and body_limit (413); Beast's parse errors answered
// 400 (message.h's ParseError); the response within write_timeout. The translated request
// goes through one dispatch step (Respond in the .cpp: the Service answers inline, or its work
// runs on the pool it names), and every answer leaves through answer.h. Keep-alive ends
// when the client asks, on shutdown, or when the connection is chosen for shedding at the cap
// (its current response is the last).
// Thread-safety: the connection runs on its own I/O thread only; the registry's close_if_idle
// is posted there.
#pragma once

#include "http/transport/context.h"
#include "http/transport/executor.h"

namespace latchkey::http::transport {

// Starts serving `socket`, accepted by `listener`, on the socket's executor; returns at once.
void SpawnConnection(Socket socket, Listener listener, const Context& context);

}  // namespace latchkey::http::transport
