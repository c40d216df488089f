#include "store/postgres/connection.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace latchkey::store::postgres {
namespace {

using std::chrono::steady_clock;

// Defaults a connection URL may override. tcp_user_timeout bounds a query sent into a dead
// network path: keepalives only probe a connection with nothing in flight.
constexpr std::pair<const char*, const char*> kConnectDefaults[] = {
    {"application_name", "latchkey"},  // names our sessions in pg_stat_activity
    {"connect_timeout", "3"},          // seconds
    {"keepalives", "1"},               // detect a dead server on an idle connection...
    {"keepalives_idle", "5"},          // ...after 5 s of silence,
    {"keepalives_interval", "2"},      // probing every 2 s,
    {"keepalives_count", "2"},         // twice
    {"tcp_user_timeout", "10000"},     // milliseconds
};
constexpr int kDefaultConnectTimeoutSeconds = 3;
constexpr int kPollSliceMs = 100;  // how often a pending call looks at `cancel`
constexpr long kMaxPollMs = INT_MAX;
// The session settings of a new connection get this long, even when the handshake used up most
// of its time (but never more past its deadline).
constexpr std::chrono::milliseconds kSettingsTime{1000};

// A stuck statement or lock fails one request instead of holding a pooled connection, and a
// transaction left open by a bug cannot hold its locks for long.
constexpr const char* kSessionSettings =
    "SET statement_timeout = '5s'; SET lock_timeout = '5s';"
    " SET idle_in_transaction_session_timeout = '10s'";

constexpr const char* kBegin = "BEGIN";
constexpr const char* kCommit = "COMMIT";
constexpr const char* kRollback = "ROLLBACK";

// Server notices (NOTICE, WARNING, and a FATAL that arrives while the connection sits idle)
// go to our log instead of libpq's default, stderr. Only the primary message: DETAIL may
// quote values.
void LogNotice(void*, const PGresult* res) {
  const char* severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
  const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  spdlog::debug("postgres {}: {}", severity ? severity : "NOTICE", primary ? primary : "");
}

// connect_timeout as the connection's settings say (the caller's URL may override ours).
int ConnectTimeoutSeconds(PGconn* conn) {
  int seconds = kDefaultConnectTimeoutSeconds;
  PQconninfoOption* options = PQconninfo(conn);
  for (PQconninfoOption* o = options; o && o->keyword; ++o) {
    if (std::strcmp(o->keyword, "connect_timeout") != 0 || !o->val) continue;
    int parsed = 0;
    const char* end = o->val + std::strlen(o->val);
    if (std::from_chars(o->val, end, parsed).ec == std::errc() && parsed > 0) {
      seconds = std::max(parsed, 2);  // libpq's own floor
    }
  }
  PQconninfoFree(options);
  return seconds;
}

enum class Wait { kReady, kTimeout, kCancelled, kFailed };

// Waits until `fd` is ready for `events`, `deadline` passes or `cancel` (may be null) becomes
// true (looked at every kPollSliceMs). `revents` gets what poll() reported.
Wait WaitSocket(int fd, short events, steady_clock::time_point deadline,
                const std::atomic<bool>* cancel, short& revents) {
  if (fd < 0) return Wait::kFailed;
  for (;;) {
    if (cancel && cancel->load()) return Wait::kCancelled;
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady_clock::now());
    if (left.count() <= 0) return Wait::kTimeout;
    long slice = std::min<long>(left.count(), cancel ? kPollSliceMs : kMaxPollMs);
    pollfd pfd{fd, events, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(slice));
    if (ready > 0) {
      revents = pfd.revents;
      return Wait::kReady;
    }
    if (ready < 0 && errno != EINTR) return Wait::kFailed;
  }
}

// Drives a non-blocking connect to the end, so that a listener being stopped does not wait
// out the timeout. False on failure (`error` set unless libpq's message applies).
bool AwaitConnected(PGconn* conn, steady_clock::time_point deadline,
                    const std::atomic<bool>* cancel, std::string& error) {
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) return false;
    short revents = 0;
    switch (WaitSocket(PQsocket(conn), state == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline,
                       cancel, revents)) {
      case Wait::kReady:
        break;
      case Wait::kCancelled:
        error = "connection attempt cancelled";
        return false;
      case Wait::kTimeout:
        error = "timeout expired";
        return false;
      case Wait::kFailed:
        if (PQsocket(conn) >= 0) error = std::string("poll: ") + std::strerror(errno);
        return false;
    }
    state = PQconnectPoll(conn);
  }
  return true;
}

}  // namespace

std::unique_ptr<Connection> Connection::Connect(const std::string& conninfo, std::string& error,
                                                const std::atomic<bool>* cancel,
                                                std::chrono::milliseconds budget) {
  // libpq's parse errors quote the string, password included: never show them.
  auto secrets = ConninfoSecrets(conninfo);
  if (!secrets) {
    error = kUnparsableConninfo;
    return nullptr;
  }
  // Our defaults first, the caller's conninfo (expanded from "dbname") last: libpq keeps the
  // last value of a repeated keyword, so settings in the URL win.
  std::vector<const char*> keys, values;
  for (const auto& [key, value] : kConnectDefaults) {
    keys.push_back(key);
    values.push_back(value);
  }
  keys.insert(keys.end(), {"dbname", nullptr});
  values.insert(values.end(), {conninfo.c_str(), nullptr});
  PGconn* raw = PQconnectStartParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (!raw) {
    error = "out of memory";
    return nullptr;
  }
  std::unique_ptr<Connection> conn(new Connection(raw));
  auto fail = [&](std::string reason) {
    error = ScrubSecrets(std::move(reason), *secrets);
    return nullptr;
  };
  const auto deadline =
      steady_clock::now() +
      std::min<std::chrono::milliseconds>(std::chrono::seconds(ConnectTimeoutSeconds(raw)), budget);
  if (PQstatus(raw) == CONNECTION_BAD || !AwaitConnected(raw, deadline, cancel, error)) {
    return fail(error.empty() ? LibpqMessageLine(PQerrorMessage(raw)) : error);
  }
  // Non-blocking from now on: sending (PQflush) never waits for a full socket buffer, and
  // neither does the goodbye message of PQfinish on a stalled server.
  if (PQsetnonblocking(raw, 1) != 0) return fail(LibpqMessageLine(PQerrorMessage(raw)));
  PQsetNoticeReceiver(raw, &LogNotice, nullptr);
  conn->cancel_ = cancel;
  conn->secrets_ = *secrets;
  QueryResult settings = conn->RoundTrip(
      std::min(deadline + kSettingsTime, std::max(deadline, steady_clock::now() + kSettingsTime)),
      [&] { return PQsendQuery(raw, kSessionSettings); });
  if (!settings.ok()) return fail("cannot apply session settings: " + settings.message());
  return conn;
}

Connection::~Connection() { PQfinish(conn_); }

template <typename Send>
QueryResult Connection::RoundTrip(steady_clock::time_point deadline, Send send) {
  if (Broken()) return QueryResult::Failure("08003", "connection already broken");
  if (send() == 0) return Lost();
  short revents = 0;
  auto wait = [&](short events) -> std::optional<QueryResult> {
    switch (WaitSocket(PQsocket(conn_), events, deadline, cancel_, revents)) {
      case Wait::kReady:
        return std::nullopt;
      case Wait::kTimeout:
        return Abandon("no answer within " + std::to_string(call_timeout_.count()) +
                       " ms, connection dropped");
      case Wait::kCancelled:
        return Abandon("cancelled, connection dropped");
      case Wait::kFailed:
        break;
    }
    if (PQsocket(conn_) < 0) return Lost();
    return Abandon(std::string("poll: ") + std::strerror(errno));
  };
  // Send everything; the server may answer (or report an error) meanwhile.
  for (;;) {
    int flushed = PQflush(conn_);
    if (flushed == 0) break;
    if (flushed < 0) return Lost();
    if (auto failed = wait(POLLIN | POLLOUT)) return std::move(*failed);
    if ((revents & POLLIN) != 0 && PQconsumeInput(conn_) == 0) return Lost();
  }
  // Collect every result, as PQexec does: the first failure wins, else the last result.
  std::unique_ptr<PGresult, void (*)(PGresult*)> kept(nullptr, &PQclear);
  for (;;) {
    while (PQisBusy(conn_) != 0) {
      if (auto failed = wait(POLLIN)) return std::move(*failed);
      if (PQconsumeInput(conn_) == 0) return Lost();
    }
    PGresult* res = PQgetResult(conn_);
    if (!res) break;
    ExecStatusType status = PQresultStatus(res);
    if (kept && PQresultStatus(kept.get()) == PGRES_FATAL_ERROR) {
      PQclear(res);
    } else {
      kept.reset(res);
    }
    // COPY is never used; PQgetResult would repeat it forever.
    if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
      return Abandon("unexpected COPY");
    }
  }
  QueryResult result(kept.release(), conn_);
  Observe(result);
  if (!result.ok() && result.sqlstate().empty()) {
    // Raised by libpq itself, not the server: scrubbed like connection errors.
    return QueryResult::Failure("", ScrubSecrets(result.message(), secrets_));
  }
  return result;
}

QueryResult Connection::Abandon(std::string reason) {
  failed_ = true;
  return QueryResult::Failure("", std::move(reason));
}

QueryResult Connection::Lost() {
  failed_ = true;
  return QueryResult::Failure("", ScrubSecrets(LibpqMessageLine(PQerrorMessage(conn_)), secrets_));
}

QueryResult Connection::Exec(const char* sql, std::initializer_list<Param> params) {
  const auto deadline = steady_clock::now() + call_timeout_;
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "lk" + std::to_string(prepared_.size() + 1);
    QueryResult prepared =
        RoundTrip(deadline, [&] { return PQsendPrepare(conn_, name.c_str(), sql, 0, nullptr); });
    if (!prepared.ok()) return prepared;
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p.c_str());
  return RoundTrip(deadline, [&] {
    return PQsendQueryPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()),
                               values.data(), nullptr, nullptr, /*resultFormat=*/0);
  });
}

QueryResult Connection::ExecScript(const char* sql) {
  return RoundTrip(steady_clock::now() + call_timeout_, [&] { return PQsendQuery(conn_, sql); });
}

bool Connection::Broken() const { return failed_ || PQstatus(conn_) == CONNECTION_BAD; }

bool Connection::CheckIdle() {
  if (Broken()) return false;
  pollfd pfd{PQsocket(conn_), POLLIN, 0};
  if (pfd.fd < 0) return false;
  if (::poll(&pfd, 1, 0) != 0) {
    // An idle connection that is not LISTENing receives nothing unless the server is closing
    // it (a FATAL message, then end of file; libpq may not have seen the end of file yet):
    // never worth a try.
    failed_ = true;
  }
  return !Broken();
}

void Connection::Observe(const QueryResult& result) {
  if (result.ok()) return;
  const std::string& state = result.sqlstate();
  if (state.starts_with("08") || (state.empty() && PQstatus(conn_) == CONNECTION_BAD)) {
    failed_ = true;
  }
}

Transaction::Transaction(Connection& conn) : conn_(conn), begin_(conn.ExecScript(kBegin)) {}

Transaction::~Transaction() {
  if (begin_.ok() && !done_ && !conn_.Broken()) conn_.ExecScript(kRollback);
}

QueryResult Transaction::Commit() {
  done_ = true;
  QueryResult result = conn_.ExecScript(kCommit);
  if (result.ok() && result.CommandStatus() != "COMMIT") {
    return QueryResult::Failure("25P02", "transaction was rolled back instead of committed");
  }
  return result;
}

}  // namespace latchkey::store::postgres
