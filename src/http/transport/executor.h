// The Asio vocabulary of the transport (http/transport/): the executor every connection runs
// on, its coroutine type and sockets, and what a listener speaks. Asio only, no Beast.
// One io_context per I/O thread, each run by exactly one thread (io_threads.h): a connection
// lives on one context for its whole life, so its handlers never run concurrently and need no
// strand, and the executor type is concrete (no any_io_executor type erasure on every
// operation).
// Internal to http/: included by the transport's units and http/server.cpp only.
// Thread-safety: type aliases and constants only.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace latchkey::http::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

using Executor = asio::io_context::executor_type;
template <class T>
using Task = asio::awaitable<T, Executor>;
using Acceptor = asio::basic_socket_acceptor<tcp, Executor>;
using Socket = asio::basic_stream_socket<tcp, Executor>;

// Completion token: co_await yields (error_code, results...) instead of throwing.
inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable_t<Executor>{});

// What a listener speaks.
enum class Listener { kHttp, kHttps, kRedirect, kMetrics };

// True for the main listener (plain or TLS): its answers carry X-Request-Id and are recorded.
inline bool IsMain(Listener listener) {
  return listener == Listener::kHttp || listener == Listener::kHttps;
}

}  // namespace latchkey::http::transport
