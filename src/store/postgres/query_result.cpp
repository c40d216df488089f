// QueryResult (connection.h): the outcome of one statement, read from libpq's PGresult.
#include "store/postgres/connection.h"

#include <charconv>
#include <cstring>
#include <utility>

namespace latchkey::store::postgres {

std::string LibpqMessageLine(const char* message) {
  std::string s;
  for (const char* p = message ? message : ""; *p; ++p) {
    bool space = *p == '\n' || *p == '\t' || *p == ' ';
    if (space && (s.empty() || s.back() == ' ')) continue;
    s += space ? ' ' : *p;
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s.empty() ? "unknown libpq error" : s;
}

QueryResult::QueryResult(PGresult* res, PGconn* conn) : res_(res, &PQclear) {
  if (!res) {
    message_ = conn ? LibpqMessageLine(PQerrorMessage(conn)) : "out of memory";
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
    message_ = LibpqMessageLine(PQresultErrorMessage(res));
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

}  // namespace latchkey::store::postgres
