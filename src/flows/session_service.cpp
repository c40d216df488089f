#include "flows/session_service.h"

namespace latchkey::flows {

Result<std::vector<SessionView>> SessionService::List(const session::Principal& caller) {
  auto rows = sessions_.ListSessions(caller.user_id(), clock_.Now());
  if (!rows) return rows.error();
  std::vector<SessionView> out;
  out.reserve(rows->size());
  for (auto& row : *rows) {
    bool is_current = row.id == caller.session_id();
    out.push_back(SessionView{std::move(row), is_current});
  }
  return out;
}

Result<bool> SessionService::Revoke(const session::Principal& caller, const session::SessionId& id,
                                    const ClientInfo& client) {
  auto deleted = sessions_.DeleteUserSession(caller.user_id(), id);
  if (!deleted) return deleted.error();
  if (!*deleted) return MakeError(Errc::kNotFound, "No such session");
  audit_.Record(audit::EventType::kSessionRevoked, caller.user_id(), caller.user().username,
                client);
  return id == caller.session_id();
}

Result<long> SessionService::RevokeOthers(const session::Principal& caller,
                                          const ClientInfo& client) {
  auto revoked =
      sessions_.DeleteOtherSessions(caller.user_id(), caller.session().token_hash, clock_.Now());
  if (revoked) {
    audit_.Record(audit::EventType::kOtherSessionsRevoked, caller.user_id(), caller.user().username,
                  client);
  }
  return revoked;
}

}  // namespace latchkey::flows
