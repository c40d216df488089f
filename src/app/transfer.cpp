#include "app/transfer.h"

#include <boost/json.hpp>

#include <istream>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/time_format.h"
#include "crypto/password_hasher.h"
#include "http/json_body.h"
#include "identity/email.h"
#include "identity/validation.h"

namespace latchkey::app {
namespace {

// Every line has these; "disabled_at" (RFC 3339) too when the user is disabled, so that an
// export and import never turn a disabled account back on; "email" when the user has an
// address, and "email_verified_at" (RFC 3339) when it is verified (kept verified: the proof
// was made on the exporting server).
constexpr const char* kFields[] = {"username", "name", "password_hash", "created_at"};
constexpr const char* kDisabledAt = "disabled_at";
constexpr const char* kEmail = "email";
constexpr const char* kEmailVerifiedAt = "email_verified_at";

[[noreturn]] void BadLine(long line, const std::string& why) {
  throw std::invalid_argument("line " + std::to_string(line) + ": " + why);
}

identity::UserRecord ParseLine(const std::string& text, long line) {
  // The API's own gate: one object, no repeated key (a second "username" must not win).
  auto obj = http::ParseJsonObjectText(text);
  if (!obj) {
    std::string where = obj.error().field.empty() ? "" : " (" + obj.error().field + ")";
    BadLine(line, obj.error().message + where);
  }
  const bool disabled = obj->contains(kDisabledAt);
  const bool email = obj->contains(kEmail);
  const bool verified = obj->contains(kEmailVerifiedAt);
  std::size_t optional = (disabled ? 1 : 0) + (email ? 1 : 0) + (verified ? 1 : 0);
  if (obj->size() != std::size(kFields) + optional || (verified && !email)) {
    BadLine(line,
            "expected exactly the fields username, name, password_hash, created_at (and "
            "disabled_at for a disabled user, email and email_verified_at for an address)");
  }
  auto field = [&](const char* key) -> std::string {
    auto v = http::StringField(*obj, key, true);
    if (!v) BadLine(line, std::string(key) + ": " + v.error().message);
    return std::move(*v);
  };
  identity::UserRecord rec;
  rec.user.username = field("username");
  rec.user.name = field("name");
  rec.password_hash = field("password_hash");
  if (auto r = identity::ValidateUsername(rec.user.username); !r) {
    BadLine(line, "username: " + std::string(MessageOf(r.error())));
  }
  if (auto r = identity::ValidateName(rec.user.name); !r)
    BadLine(line, "name: " + std::string(MessageOf(r.error())));
  // An unusable password (an undone email change) moves as it is: recovery sets a new one.
  if (rec.password_hash != identity::kUnusablePasswordHash &&
      !crypto::IsSupportedHash(rec.password_hash)) {
    BadLine(line,
            "password_hash is not a well-formed argon2id or bcrypt hash with work factors "
            "Latchkey accepts");
  }
  auto created = ParseRfc3339(field("created_at"));
  if (!created) BadLine(line, "created_at must be RFC 3339 UTC like 2026-11-29T19:50:00Z");
  rec.created_at = *created;
  if (disabled) {
    auto at = ParseRfc3339(field(kDisabledAt));
    if (!at || *at <= UnixTime{})
      BadLine(line, "disabled_at must be RFC 3339 UTC like 2026-11-29T19:50:00Z");
    rec.disabled_at = *at;
  }
  if (email) {
    rec.user.email = field(kEmail);
    if (auto r = identity::ValidateEmail(rec.user.email); !r) {
      BadLine(line, "email: " + std::string(MessageOf(r.error())));
    }
  }
  if (verified) {
    auto at = ParseRfc3339(field(kEmailVerifiedAt));
    if (!at || *at <= UnixTime{})
      BadLine(line, "email_verified_at must be RFC 3339 UTC like 2026-11-29T19:50:00Z");
    rec.email_verified_at = *at;
    rec.user.email_verified = true;
  }
  return rec;
}

}  // namespace

long ExportUsers(store::Database& db, std::ostream& out) {
  long count = 0;
  auto r = db.ForEachUser([&](const identity::UserRecord& rec) {
    boost::json::object line;
    line["username"] = rec.user.username;
    line["name"] = rec.user.name;
    line["password_hash"] = rec.password_hash;
    line["created_at"] = FormatRfc3339(rec.created_at);
    if (rec.disabled_at != UnixTime{}) line[kDisabledAt] = FormatRfc3339(rec.disabled_at);
    if (!rec.user.email.empty()) line[kEmail] = rec.user.email;
    if (rec.user.email_verified) line[kEmailVerifiedAt] = FormatRfc3339(rec.email_verified_at);
    out << boost::json::serialize(line) << '\n';
    ++count;
  });
  if (!r) throw std::runtime_error("export failed: " + std::string(MessageOf(r.error())));
  out.flush();
  if (!out) throw std::runtime_error("export failed: cannot write the output");
  return count;
}

ImportSummary ImportUsers(store::Database& db, std::istream& in) {
  std::vector<identity::UserRecord> users;
  std::string text;
  long line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.empty()) continue;  // a trailing newline, or blank lines between records
    users.push_back(ParseLine(text, line));
  }
  if (in.bad()) throw std::runtime_error("import failed: cannot read the input");
  ImportSummary summary;
  for (const auto& rec : users) {
    auto r = db.ImportUser(rec);
    if (!r) {
      throw std::runtime_error("import failed after " + std::to_string(summary.imported) +
                               " users: " + std::string(MessageOf(r.error())));
    }
    ++(*r ? summary.imported : summary.skipped);
  }
  return summary;
}

}  // namespace latchkey::app
