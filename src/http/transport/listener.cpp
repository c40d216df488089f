#include "http/transport/listener.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <tuple>

#include "http/transport/connection.h"
#include "http/transport/io_threads.h"

namespace latchkey::http::transport {

namespace {

// How long accepting pauses when accept() fails for lack of file descriptors.
constexpr std::chrono::milliseconds kAcceptPause{100};

}  // namespace

void Listen(Acceptor& acceptor, const std::string& address, unsigned short port) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("invalid listen address " + address);
  tcp::endpoint endpoint(ip, port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) + ": " +
                             ec.message());
  }
}

Task<void> Accept(Acceptor& from, Listener kind, const Context& context) {
  bool paused = false;  // logged once per run of descriptor shortages
  for (;;) {
    auto accepted = co_await from.async_accept(context.io.Next(), kTuple);
    boost::system::error_code ec = std::get<0>(accepted);
    Socket socket = std::move(std::get<1>(accepted));
    if (ec) {
      if (context.stopping || !from.is_open()) co_return;
      if (ec == asio::error::no_descriptors || ec.value() == ENFILE) {
        // The pending connection stays in the backlog: retrying at once would spin.
        if (!paused) spdlog::warn("accept failed: {}; pausing accepts", ec.message());
        paused = true;
        asio::steady_timer::rebind_executor<Executor>::other pause(from.get_executor(),
                                                                   kAcceptPause);
        co_await pause.async_wait(kTuple);
        continue;
      }
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    paused = false;
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    SpawnConnection(std::move(socket), kind, context);
  }
}

std::size_t FitToFileLimit(std::size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  rlim_t needed = static_cast<rlim_t>(wanted + kReservedFiles);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min(limit.rlim_max, needed);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) return wanted;
  std::size_t fits =
      limit.rlim_cur > 2 * kReservedFiles ? limit.rlim_cur - kReservedFiles : limit.rlim_cur / 2;
  spdlog::warn(
      "max connections lowered from {} to {}: the open file limit is {} (raise it: ulimit -n, "
      "or LimitNOFILE= in the systemd unit)",
      wanted, fits, static_cast<unsigned long long>(limit.rlim_cur));
  return std::max<std::size_t>(1, fits);
}

}  // namespace latchkey::http::transport
