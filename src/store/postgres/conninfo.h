// Connection strings (a libpq URI or key=value string) read the way libpq reads them: shown
// without secrets, and secrets scrubbed out of texts (libpq's error messages) that may quote
// them. Nothing here connects.
// Thread-safety: free functions without shared state.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace latchkey::store::postgres {

// `conninfo` (a libpq URI or key=value string) shown without secrets:
// "postgres://user@host:port/dbname" (the scheme as written, postgresql:// kept) built from the
// settings libpq parses out of it (host or hostaddr, port, dbname, user; every other setting
// left out). nullopt when libpq cannot parse it.
std::optional<std::string> ConninfoForDisplay(const std::string& conninfo);

// `text` with every secret of `conninfo` (password and sslpassword, as decoded by libpq and,
// in a URI, as written) replaced by "***". When libpq cannot parse `conninfo` its secrets are
// unknown: returns a fixed message instead of `text` (kUnparsableConninfo).
std::string ScrubConninfoSecrets(const std::string& text, const std::string& conninfo);

// Every secret of `conninfo` as ScrubConninfoSecrets finds them, longest first; nullopt when
// libpq cannot parse it. For a connection that scrubs many texts of one conninfo.
std::optional<std::vector<std::string>> ConninfoSecrets(const std::string& conninfo);

// `text` with every occurrence of each of `secrets` (as ConninfoSecrets returns them)
// replaced by "***".
std::string ScrubSecrets(std::string text, const std::vector<std::string>& secrets);

// Said instead of a text about a conninfo that libpq cannot parse (its parse errors quote the
// string, password included).
inline constexpr const char* kUnparsableConninfo =
    "libpq cannot parse the connection string (not shown: it may hold a password)";

}  // namespace latchkey::store::postgres
