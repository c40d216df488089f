#include "audit/audit_log.h"

#include <spdlog/spdlog.h>

#include "base/log_fields.h"
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
  // One log line per auth event (ASVS 7.1.3): who, what, from where, which request; never
  // the username attempted (it may be a mistyped password) nor any credential or token.
  if (spdlog::should_log(spdlog::level::info)) {
    using Value = decltype(LogField::value);
    Value who = user_id ? Value(user_id->value()) : Value(std::string_view("-"));
    std::string_view request =
        origin.request_id.empty() ? std::string_view("-") : std::string_view(origin.request_id);
    LogEvent(spdlog::level::info, "auth_event",
             {{"type", event.type}, {"user_id", who}, {"request_id", request}, {"ip", event.ip}});
  }
  if (auto r = store_.RecordEvent(event); !r) {
    spdlog::warn("audit event {} not recorded: {}", event.type, r.error().message);
  }
}

}  // namespace latchkey::audit
