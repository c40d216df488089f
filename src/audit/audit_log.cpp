#include "audit/audit_log.h"

#include <spdlog/spdlog.h>

#include "base/utf8.h"

namespace latchkey::audit {

void AuditLog::Record(EventType type, std::optional<identity::UserId> user_id,
                      const std::string& username, const Origin& origin) {
  AuthEvent event;
  event.at = clock_.Now();
  event.type = std::string(EventName(type));
  event.user_id = user_id;
  event.username = TruncateUtf8(username, 256);
  event.ip = origin.ip;
  event.user_agent = TruncateUtf8(origin.user_agent, 512);
  if (auto r = store_.RecordEvent(event); !r) {
    spdlog::warn("audit event {} not recorded: {}", event.type, r.error().message);
  }
}

}  // namespace latchkey::audit
