// Store contract for the audit log. Blocking: call from a worker pool.
// Thread-safety: implementations are safe from many threads.
#pragma once

#include <vector>

#include "audit/auth_event.h"
#include "base/errc.h"

namespace latchkey::audit {

class EventStore {
 public:
  virtual ~EventStore() = default;

  // Appends one event. Errors: kStorageUnavailable.
  virtual Result<void> RecordEvent(const AuthEvent& event) = 0;

  // The user's most recent events, newest first, at most `limit`.
  virtual Result<std::vector<AuthEvent>> ListUserEvents(identity::UserId user_id, int limit) = 0;

  // Deletes events recorded before `cutoff` (retention); returns how many.
  virtual Result<long> DeleteEventsBefore(UnixTime cutoff) = 0;
};

}  // namespace latchkey::audit
