#include "store/postgres/session_feed.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <exception>

#include "store/postgres/postgres_errors.h"
#include "store/postgres/session_notify.h"

namespace latchkey::store::postgres {
namespace {

constexpr int kPollMs = 200;  // bounds how long stopping takes
constexpr std::chrono::milliseconds kReconnectDelay{500};

}  // namespace

SessionFeed::SessionFeed(std::string conninfo, SessionChangeSink& sink)
    : conninfo_(std::move(conninfo)), sink_(sink), thread_([this] { Run(); }) {}

SessionFeed::~SessionFeed() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SessionFeed::Run() {
  while (!stop_) {
    std::string error;
    auto conn = Connection::Connect(conninfo_, error, &stop_);
    if (conn) {
      QueryResult listen = conn->ExecScript(kListenSessions);
      if (listen.ok()) {
        sink_.OnFeedUp();
        Pump(*conn);
        sink_.OnFeedDown();
        if (stop_) return;
        LogOutage("session feed", "connection lost");
      } else {
        LogOutage("session feed LISTEN", listen.message());
      }
    } else if (!stop_) {
      LogOutage("session feed connect", error);
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kReconnectDelay, [&] { return stop_.load(); });
  }
}

void SessionFeed::Pump(Connection& conn) {
  PGconn* raw = conn.raw();
  while (!stop_) {
    pollfd pfd{PQsocket(raw), POLLIN, 0};
    if (pfd.fd < 0) return;
    int ready = ::poll(&pfd, 1, kPollMs);
    if (ready < 0 && errno != EINTR) return;
    if (ready > 0) {
      // End of file or a socket error (keepalives gave up) also wake poll(): libpq then
      // reports the connection bad.
      if (PQconsumeInput(raw) == 0) return;
      while (PGnotify* note = PQnotifies(raw)) {
        Deliver(note->extra);
        PQfreemem(note);
      }
    }
    if (PQstatus(raw) == CONNECTION_BAD) return;
  }
}

void SessionFeed::Deliver(const char* payload) {
  auto change = ParseSessionChange(payload ? payload : "");
  if (!change) {
    spdlog::debug("session feed: ignored a notification of unknown shape");
    return;
  }
  try {
    if (change->token_hash) sink_.OnSessionChanged(*change->token_hash);
    if (change->user_id) sink_.OnUserChanged(*change->user_id);
  } catch (const std::exception& e) {
    // A sink that throws is a bug; the feed keeps running for the other changes.
    spdlog::error("session feed: sink failed: {}", e.what());
  }
}

}  // namespace latchkey::store::postgres
