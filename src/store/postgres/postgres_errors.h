// The one place where PostgreSQL failures become Errc: the client sees a generic message,
// the log gets the SQLSTATE and libpq's primary message (never DETAIL, never a parameter
// value). Failures that repeat on every request while the database is down or stalled
// (refused or lost connections, statement and lock timeouts) are logged at most once a
// second, with a count of what was left out.
// Thread-safety: safe from many threads.
#pragma once

#include <string>
#include <string_view>

#include "base/errc.h"
#include "store/postgres/connection.h"

namespace latchkey::store::postgres {

inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kForeignKeyViolation = "23503";

// kStorageUnavailable with its public message; logs nothing.
Error Unavailable();

// Logs `what` failed with `result`'s SQLSTATE and message; returns Unavailable().
Error StorageError(const QueryResult& result, const char* what);
// The same for a stage of `what` ("begin", "commit").
Error StorageError(const QueryResult& result, const char* stage, const char* what);

// Logs that the database cannot be reached (`what`: which attempt; `message`: libpq's),
// at most one line a second.
void LogOutage(const char* what, const std::string& message);

}  // namespace latchkey::store::postgres
