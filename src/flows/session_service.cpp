#include "flows/session_service.h"

namespace latchkey::flows {

Result<std::vector<SessionView>> SessionService::List(
    const std::optional<std::string>& token_hash) {
  auto current = auth_.Authenticate(token_hash);
  if (!current) return current.error();
  auto rows = sessions_.ListSessions(current->user.id, clock_.Now());
  if (!rows) return rows.error();
  std::vector<SessionView> out;
  out.reserve(rows->size());
  for (auto& row : *rows) {
    bool is_current = row.id == current->session.id;
    out.push_back(SessionView{std::move(row), is_current});
  }
  return out;
}

Result<bool> SessionService::Revoke(const std::optional<std::string>& token_hash,
                                    const std::string& id, const ClientInfo& client) {
  auto current = auth_.Authenticate(token_hash);
  if (!current) return current.error();
  auto deleted = sessions_.DeleteUserSession(current->user.id, id);
  if (!deleted) return deleted.error();
  if (!*deleted) return MakeError(Errc::kNotFound, "No such session");
  audit_.Record(audit::EventType::kSessionRevoked, current->user.id, current->user.username,
                client);
  return id == current->session.id;
}

Result<long> SessionService::RevokeOthers(const std::optional<std::string>& token_hash,
                                          const ClientInfo& client) {
  auto current = auth_.Authenticate(token_hash);
  if (!current) return current.error();
  auto revoked = sessions_.DeleteOtherSessions(current->user.id, *token_hash, clock_.Now());
  if (revoked) {
    audit_.Record(audit::EventType::kOtherSessionsRevoked, current->user.id, current->user.username,
                  client);
  }
  return revoked;
}

}  // namespace latchkey::flows
