// A listening socket and its accept loop (Beast's listener): each accepted socket gets
// TCP_NODELAY, the next I/O thread (io_threads.h, round robin) and a connection of its own
// (connection.h). accept() failing for lack of file descriptors (EMFILE, ENFILE) pauses
// accepting for 100 ms instead of spinning on the backlog (the pending connection stays
// there), logged once per run of shortages.
// FitToFileLimit sizes the connection cap to the open file limit at startup.
// Asio only, no Beast.
// Thread-safety: Listen() and FitToFileLimit() at startup; every accept loop runs on the first
// I/O context (io_threads.h), which owns the acceptors.
#pragma once

#include <cstddef>
#include <string>

#include "http/transport/context.h"
#include "http/transport/executor.h"

namespace latchkey::http::transport {

// Opens, binds and listens; throws std::runtime_error naming the address.
void Listen(Acceptor& acceptor, const std::string& address, unsigned short port);

// Accepts on `from` until it is closed (shutdown); each connection speaks `kind`.
Task<void> Accept(Acceptor& from, Listener kind, const Context& context);

// The connection cap that the open file limit can hold: raises the soft RLIMIT_NOFILE towards
// its hard limit as far as `wanted` needs, and lowers `wanted` (with a warning) when even the
// hard limit cannot hold it plus kReservedFiles (http/server.h).
std::size_t FitToFileLimit(std::size_t wanted);

}  // namespace latchkey::http::transport
