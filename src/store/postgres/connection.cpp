#include "store/postgres/connection.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
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
constexpr int kPollSliceMs = 100;  // how often a pending connect looks at `cancel`

// A stuck statement or lock fails one request instead of holding a pooled connection, and a
// transaction left open by a bug cannot hold its locks for long.
constexpr const char* kSessionSettings =
    "SET statement_timeout = '5s'; SET lock_timeout = '5s';"
    " SET idle_in_transaction_session_timeout = '10s'";

constexpr const char* kBegin = "BEGIN";
constexpr const char* kCommit = "COMMIT";
constexpr const char* kRollback = "ROLLBACK";

// libpq's messages span lines ("...\n\tThis probably means..."): one log line each.
std::string Trimmed(const char* message) {
  std::string s;
  for (const char* p = message ? message : ""; *p; ++p) {
    bool space = *p == '\n' || *p == '\t' || *p == ' ';
    if (space && (s.empty() || s.back() == ' ')) continue;
    s += space ? ' ' : *p;
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s.empty() ? "unknown libpq error" : s;
}

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

// Drives a non-blocking connect to the end, so that a listener being stopped does not wait
// out the timeout. False on failure (`error` set unless libpq's message applies).
bool AwaitConnected(PGconn* conn, const std::atomic<bool>* cancel, std::string& error) {
  const auto deadline = steady_clock::now() + std::chrono::seconds(ConnectTimeoutSeconds(conn));
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) return false;
    short events = state == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    pollfd pfd{PQsocket(conn), events, 0};
    int ready = 0;
    while (ready == 0) {
      if (cancel && cancel->load()) {
        error = "connection attempt cancelled";
        return false;
      }
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady_clock::now());
      if (left.count() <= 0) {
        error = "timeout expired";
        return false;
      }
      ready = ::poll(&pfd, 1, static_cast<int>(std::min<long>(left.count(), kPollSliceMs)));
      if (ready < 0 && errno == EINTR) ready = 0;
      if (ready < 0) {
        error = std::string("poll: ") + std::strerror(errno);
        return false;
      }
    }
    state = PQconnectPoll(conn);
  }
  return true;
}

}  // namespace

QueryResult::QueryResult(PGresult* res, PGconn* conn) : res_(res, &PQclear) {
  if (!res) {
    message_ = conn ? Trimmed(PQerrorMessage(conn)) : "out of memory";
    return;
  }
  ExecStatusType status = PQresultStatus(res);
  ok_ = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  if (ok_) return;
  if (const char* s = PQresultErrorField(res, PG_DIAG_SQLSTATE)) sqlstate_ = s;
  if (const char* m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)) {
    message_ = m;
  } else {
    // Raised by libpq itself (connection lost): no DETAIL, no values.
    message_ = Trimmed(PQresultErrorMessage(res));
  }
  if (const char* c = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME)) constraint_ = c;
}

QueryResult QueryResult::Failure(std::string sqlstate, std::string message) {
  QueryResult r(nullptr, nullptr);
  r.sqlstate_ = std::move(sqlstate);
  r.message_ = std::move(message);
  return r;
}

std::int64_t QueryResult::Int(int row, int col) const {
  const char* v = PQgetvalue(res_.get(), row, col);
  std::int64_t out = 0;
  std::from_chars(v, v + PQgetlength(res_.get(), row, col), out);
  return out;
}

std::string QueryResult::Text(int row, int col) const {
  return std::string(PQgetvalue(res_.get(), row, col),
                     static_cast<std::size_t>(PQgetlength(res_.get(), row, col)));
}

long QueryResult::Affected() const {
  if (!res_) return 0;
  const char* v = PQcmdTuples(res_.get());
  long out = 0;
  std::from_chars(v, v + std::strlen(v), out);
  return out;
}

std::string_view QueryResult::CommandStatus() const {
  if (!res_) return {};
  const char* v = PQcmdStatus(res_.get());
  return v ? std::string_view(v) : std::string_view();
}

std::unique_ptr<Connection> Connection::Connect(const std::string& conninfo, std::string& error,
                                                const std::atomic<bool>* cancel) {
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
  if (PQstatus(raw) == CONNECTION_BAD || !AwaitConnected(raw, cancel, error)) {
    if (error.empty()) error = Trimmed(PQerrorMessage(raw));
    return nullptr;
  }
  PQsetNoticeReceiver(raw, &LogNotice, nullptr);
  QueryResult settings = conn->ExecScript(kSessionSettings);
  if (!settings.ok()) {
    error = "cannot apply session settings: " + settings.message();
    return nullptr;
  }
  return conn;
}

Connection::~Connection() { PQfinish(conn_); }

QueryResult Connection::Exec(const char* sql, std::initializer_list<Param> params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "lk" + std::to_string(prepared_.size() + 1);
    QueryResult prepared(PQprepare(conn_, name.c_str(), sql, 0, nullptr), conn_);
    if (!prepared.ok()) {
      Observe(prepared);
      return prepared;
    }
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p.c_str());
  QueryResult result(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()),
                                    values.data(), nullptr, nullptr, /*resultFormat=*/0),
                     conn_);
  Observe(result);
  return result;
}

QueryResult Connection::ExecScript(const char* sql) {
  QueryResult result(PQexec(conn_, sql), conn_);
  Observe(result);
  return result;
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
