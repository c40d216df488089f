#include "app/admin_sessions.h"

#include <boost/json.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "app/admin_io.h"
#include "app/server_confirmation.h"
#include "base/time_format.h"

namespace latchkey::app {
namespace {

struct SessionRow {
  session::SessionRecord session;  // its token_hash is never printed
  std::string username;
};

boost::json::object SessionJson(const SessionRow& row) {
  const auto& s = row.session;
  boost::json::object o;
  o["id"] = s.id.value();
  o["user_id"] = s.user_id.value();
  o["username"] = row.username;
  o["created_at"] = FormatRfc3339(s.created_at);
  o["last_seen_at"] = FormatRfc3339(s.last_seen_at);
  o["expires_at"] = FormatRfc3339(session::EffectiveExpiry(s));
  o["persistent"] = s.persistent;
  o["user_agent"] = s.user_agent;
  o["ip"] = s.ip;
  return o;
}

// The live sessions of one user, or of every user (in user id order).
Result<std::vector<SessionRow>> Collect(AdminContext& ctx, const std::string& user_ref) {
  std::vector<identity::User> users;
  if (!user_ref.empty()) {
    auto user = ctx.service().FindUser(user_ref);
    if (!user) return user.error();
    users.push_back(user->user);
  } else {
    auto r = ctx.db().ForEachUser([&](const identity::UserRecord& u) { users.push_back(u.user); });
    if (!r) return r.error();
  }
  std::vector<SessionRow> rows;
  UnixTime now = ctx.Now();
  for (const auto& u : users) {
    auto live = ctx.db().sessions().ListSessions(u.id, now);
    if (!live) return live.error();
    for (auto& s : *live) rows.push_back({std::move(s), u.username});
  }
  return rows;
}

int List(AdminContext& ctx, const AdminOptions& o) {
  auto rows = Collect(ctx, o.user);
  if (!rows) return Fail(MessageOf(rows.error()));
  if (o.json) {
    boost::json::array out;
    for (const auto& row : *rows) out.push_back(SessionJson(row));
    std::printf("%s\n", boost::json::serialize(out).c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : *rows) {
    const auto& s = row.session;
    cells.push_back({s.id.value(), row.username, FormatRfc3339(s.created_at),
                     FormatRfc3339(s.last_seen_at), FormatRfc3339(session::EffectiveExpiry(s)),
                     s.ip, s.user_agent.substr(0, 60)});
  }
  PrintTable({"ID", "USER", "CREATED", "LAST SEEN", "EXPIRES", "IP", "USER AGENT"}, cells);
  return 0;
}

int Revoke(AdminContext& ctx, const AdminOptions& o) {
  if (!o.user.empty()) {
    auto n = ctx.service().RevokeUserSessions(o.user);
    if (!n) return Fail(MessageOf(n.error()));
    return FinishChange(ctx, "revoked " + std::to_string(*n) + " live sessions of " + o.user);
  }
  auto s = ctx.service().RevokeSession(session::SessionId(o.target));
  if (!s) return Fail(MessageOf(s.error()));
  return FinishChange(ctx, "revoked session " + s->id.value());
}

}  // namespace

int RunSessionCommand(std::string_view command, const AdminOptions& o) {
  Settings settings = Resolve(o.config);
  AdminContext ctx(settings, false);
  if (command == "list") return List(ctx, o);
  if (command == "revoke") return Revoke(ctx, o);
  return Fail("unknown command session " + std::string(command));
}

}  // namespace latchkey::app
