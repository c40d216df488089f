#include "store/postgres/session_feed.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <exception>

#include "store/postgres/postgres_errors.h"
#include "store/postgres/query.h"
#include "store/postgres/session_notify.h"

namespace latchkey::store::postgres {
namespace {

using std::chrono::steady_clock;

constexpr int kPollMs = 200;  // bounds how long stopping takes
constexpr std::chrono::milliseconds kReconnectDelay{500};
// A stalled server (stopped, stuck on I/O) keeps the TCP connection up, so an idle LISTEN
// connection never notices it: the heartbeat write every kFeedHeartbeat must answer within
// kFeedCallTimeout, so the feed reports down within ~4 s of a stall.
constexpr std::chrono::milliseconds kFeedCallTimeout{3000};

// heartbeat_ms is the database server's clock (clock_timestamp(), in ms), as ListFeedNodes
// reads it: one clock for every node, whatever the hosts' clocks say.
// applied_seq = the newest mark now: read before the LISTEN (see session_feed.h).
constexpr const char* kRegisterNode =
    "INSERT INTO feed_nodes (id, host, pid, applied_seq, heartbeat_ms)"
    " SELECT $1::TEXT, $2::TEXT, $3::BIGINT, seq, (EXTRACT(EPOCH FROM clock_timestamp()) * "
    "1000)::BIGINT"
    " FROM feed_marks WHERE id = 1"
    " ON CONFLICT (id) DO UPDATE SET applied_seq = EXCLUDED.applied_seq,"
    " heartbeat_ms = EXCLUDED.heartbeat_ms"
    " RETURNING applied_seq";
// An upsert: a row pruned while this node was stalled comes back.
constexpr const char* kHeartbeatNode =
    "INSERT INTO feed_nodes (id, host, pid, applied_seq, heartbeat_ms)"
    " VALUES ($1, $2, $3, $4, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT)"
    " ON CONFLICT (id) DO UPDATE SET"
    " applied_seq = GREATEST(feed_nodes.applied_seq, EXCLUDED.applied_seq),"
    " heartbeat_ms = EXCLUDED.heartbeat_ms";
constexpr const char* kPruneNodes =
    "DELETE FROM feed_nodes"
    " WHERE heartbeat_ms < (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT - $1";
constexpr const char* kDeleteNode = "DELETE FROM feed_nodes WHERE id = $1";
constexpr std::chrono::seconds kPruneEvery{60};

}  // namespace

Result<void> UnregisterFeedNode(Connection& conn, const FeedNodeIdentity& node) {
  if (auto r = Run(conn, kDeleteNode, "unregister feed node", {node.id}); !r) return r.error();
  return {};
}

SessionFeed::SessionFeed(std::string conninfo, FeedNodeIdentity node, SessionChangeSink& sink)
    : conninfo_(std::move(conninfo)),
      node_(std::move(node)),
      sink_(sink),
      worker_(
          kReconnectDelay, [this] { RunConnection(); }, PeriodicWorker::FirstRun::kAtStart) {}

void SessionFeed::RunConnection() {
  std::string error;
  auto conn = Connection::Connect(conninfo_, error, worker_.cancel_flag());
  if (!conn) {
    if (!worker_.stopping()) LogOutage("session feed connect", error);
    return;
  }
  conn->SetCallTimeout(kFeedCallTimeout);
  SteadyTime registered_at = steady_clock::now();
  QueryResult registered = conn->Exec(kRegisterNode, {node_.id, node_.host, node_.pid});
  if (!registered.ok() || registered.rows() != 1) {
    if (!worker_.stopping()) LogOutage("session feed register", registered.message());
    return;
  }
  QueryResult listen = conn->ExecScript(kListenSessions);
  if (!listen.ok()) {
    if (!worker_.stopping()) LogOutage("session feed LISTEN", listen.message());
    return;
  }
  sink_.OnFeedConfirmed(registered_at);
  sink_.OnFeedUp();
  std::string why = Pump(*conn, registered.Int(0, 0), registered_at);
  sink_.OnFeedDown();
  if (worker_.stopping()) return;
  LogOutage("session feed", why);
}

std::string SessionFeed::Pump(Connection& conn, std::int64_t applied, SteadyTime registered_at) {
  // This node's own mark: heard after every change committed before it, the registration's
  // blind spot included.
  if (QueryResult mark = conn.Exec(kMarkFeed); !mark.ok()) {
    return "mark failed: " + mark.message();
  }
  PGconn* raw = conn.raw();
  std::int64_t mark = applied;     // the newest mark heard
  std::int64_t written = applied;  // applied_seq as last written
  SteadyTime last_write = registered_at;
  SteadyTime next_prune = registered_at;
  while (!worker_.stopping()) {
    pollfd pfd{PQsocket(raw), POLLIN, 0};
    if (pfd.fd < 0) return "connection lost";
    int ready = ::poll(&pfd, 1, kPollMs);
    if (ready < 0 && errno != EINTR) return "poll failed";
    // End of file or a socket error (keepalives gave up) also wake poll(): libpq then
    // reports the connection bad.
    if (ready > 0 && PQconsumeInput(raw) == 0) return "connection lost";
    DeliverQueued(conn, mark);
    if (PQstatus(raw) == CONNECTION_BAD) return "connection lost";
    SteadyTime now = steady_clock::now();
    if (mark != written || now - last_write >= kFeedHeartbeat) {
      // The marks just delivered were applied (their changes came before them).
      std::int64_t applying = mark;
      QueryResult beat = conn.Exec(kHeartbeatNode, {node_.id, node_.host, node_.pid, applying});
      if (!beat.ok()) return "heartbeat failed: " + beat.message();
      // What arrived during the write: changes committed before `now` among them.
      DeliverQueued(conn, mark);
      written = applying;
      last_write = now;
      sink_.OnFeedConfirmed(now);
    }
    if (now >= next_prune) {
      next_prune = now + kPruneEvery;
      QueryResult pruned =
          conn.Exec(kPruneNodes, {static_cast<std::int64_t>(kFeedNodePrune.count())});
      if (!pruned.ok()) return "prune failed: " + pruned.message();
    }
  }
  return "stopped";
}

void SessionFeed::DeliverQueued(Connection& conn, std::int64_t& mark) {
  // Notifications read by PQconsumeInput, here or during a command.
  while (PGnotify* note = PQnotifies(conn.raw())) {
    Deliver(note->extra, mark);
    PQfreemem(note);
  }
}

void SessionFeed::Deliver(const char* payload, std::int64_t& mark) {
  auto change = ParseSessionChange(payload ? payload : "");
  if (!change) {
    spdlog::debug("session feed: ignored a notification of unknown shape");
    return;
  }
  if (change->mark) {
    mark = std::max(mark, *change->mark);
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
