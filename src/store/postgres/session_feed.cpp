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

using std::chrono::steady_clock;

constexpr int kPollMs = 200;  // bounds how long stopping takes
constexpr std::chrono::milliseconds kReconnectDelay{500};
// A stalled server (stopped, stuck on I/O) keeps the TCP connection up, so an idle LISTEN
// connection never notices it: a round trip every kHeartbeatInterval must answer within
// kFeedCallTimeout, so the feed reports down within ~5 s of a stall.
constexpr std::chrono::milliseconds kHeartbeatInterval{2000};
constexpr std::chrono::milliseconds kFeedCallTimeout{3000};
constexpr const char* kHeartbeat = "SELECT 1";

}  // namespace

SessionFeed::SessionFeed(std::string conninfo, SessionChangeSink& sink)
    : conninfo_(std::move(conninfo)),
      sink_(sink),
      worker_(
          kReconnectDelay, [this] { RunConnection(); }, PeriodicWorker::FirstRun::kAtStart) {}

void SessionFeed::RunConnection() {
  std::string error;
  auto conn = Connection::Connect(conninfo_, error, worker_.cancel_flag());
  if (conn) {
    conn->SetCallTimeout(kFeedCallTimeout);
    QueryResult listen = conn->ExecScript(kListenSessions);
    if (listen.ok()) {
      sink_.OnFeedUp();
      std::string why = Pump(*conn);
      sink_.OnFeedDown();
      if (worker_.stopping()) return;
      LogOutage("session feed", why);
    } else if (!worker_.stopping()) {
      LogOutage("session feed LISTEN", listen.message());
    }
  } else if (!worker_.stopping()) {
    LogOutage("session feed connect", error);
  }
}

std::string SessionFeed::Pump(Connection& conn) {
  PGconn* raw = conn.raw();
  auto last_heartbeat = steady_clock::now();
  while (!worker_.stopping()) {
    pollfd pfd{PQsocket(raw), POLLIN, 0};
    if (pfd.fd < 0) return "connection lost";
    int ready = ::poll(&pfd, 1, kPollMs);
    if (ready < 0 && errno != EINTR) return "poll failed";
    // End of file or a socket error (keepalives gave up) also wake poll(): libpq then
    // reports the connection bad.
    if (ready > 0 && PQconsumeInput(raw) == 0) return "connection lost";
    if (steady_clock::now() - last_heartbeat >= kHeartbeatInterval) {
      QueryResult beat = conn.ExecScript(kHeartbeat);
      if (!beat.ok()) return "heartbeat failed: " + beat.message();
      last_heartbeat = steady_clock::now();
    }
    // Notifications read by PQconsumeInput, here or during the heartbeat.
    while (PGnotify* note = PQnotifies(raw)) {
      Deliver(note->extra);
      PQfreemem(note);
    }
    if (PQstatus(raw) == CONNECTION_BAD) return "connection lost";
  }
  return "stopped";
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
