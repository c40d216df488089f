// Records audit events for the flows. Recording never fails a user's request: a store error
// is logged (without the event's personal data) and the flow goes on.
// Thread-safety: safe from many threads.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "audit/event_store.h"
#include "base/clock.h"

namespace latchkey::audit {

// Who made the request, as the flows know it.
struct Origin {
  Origin() = default;
  // Not an aggregate, so that {ip, user_agent} (callers without a request) stays valid.
  Origin(std::string ip_, std::string user_agent_, std::string request_id_ = {})
      : ip(std::move(ip_)),
        user_agent(std::move(user_agent_)),
        request_id(std::move(request_id_)) {}
  std::string ip;
  std::string user_agent;
  std::string request_id;  // X-Request-Id of the request (http/request_id.h); may be empty
};

class AuditLog {
 public:
  AuditLog(EventStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  void Record(EventType type, std::optional<identity::UserId> user_id, const std::string& username,
              const Origin& origin);

 private:
  EventStore& store_;
  const Clock& clock_;
};

}  // namespace latchkey::audit
