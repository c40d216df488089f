// The byte streams of a connection: Beast's basic_stream (a TCP socket with a deadline per
// operation: the header, body and write timeouts) and, on the TLS listener, an ssl_stream over
// it. Beast's core headers: included only by the transport units that read or write messages
// (answer, connection, side_listeners).
// Thread-safety: type aliases only; a stream is used on its connection's I/O thread only.
#pragma once

#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http/transport/executor.h"

namespace latchkey::http::transport {

namespace beast = boost::beast;

using TcpStream = beast::basic_stream<tcp, Executor>;
using TlsStream = beast::ssl_stream<TcpStream>;

}  // namespace latchkey::http::transport
