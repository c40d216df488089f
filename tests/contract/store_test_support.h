// Helpers of the store tests (tests/contract on both dialects, tests/pg on PostgreSQL):
// users, session rows, throttle updates and audit events made for tests, waiting for a condition,
// and a session change sink that records what a feed delivers. Thread-safety: the free functions
// are pure; RecordingSink is safe from many threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/auth_event.h"
#include "identity/user.h"
#include "session/session.h"
#include "store/database.h"
#include "throttle/throttle_store.h"

namespace latchkey::testing {

// A session row for tests: id "sid-<tag>" and token hash TokenHashOf(tag).
session::SessionRecord MakeSession(identity::UserId user_id, const std::string& tag,
                                   UnixTime created_at = FromUnixSeconds(1'700'000'000),
                                   UnixTime expires_at = FromUnixSeconds(1'800'000'000),
                                   Seconds idle_timeout = Seconds(1'209'600));

identity::NewUser MakeUser(const std::string& username,
                           UnixTime created_at = FromUnixSeconds(1'700'000'000));

// One more failure: failures + 1, last_failure_at = 1'700'000'000 + failures.
throttle::ThrottleState Increment(const throttle::ThrottleState& before);

// An event of `type` at `at` for `user_id`, from "someone" at 198.51.100.7 with "agent".
audit::AuthEvent MakeEvent(UnixTime at, std::string type, std::optional<identity::UserId> user_id);

// A 64-character hex string standing in for SHA-256(token).
session::TokenHash TokenHashOf(const std::string& tag);

// The `replaced_token_hash` argument of InsertSession for `h`: valid until the end of the
// full expression, which is as long as the call needs it.
inline const session::TokenHash* Replacing(const session::TokenHash& h) { return &h; }

// Waits up to `timeout` for `done` (checked every 10 ms); true when it came true.
bool Eventually(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

// Records what a session change feed delivers; thread-safe.
class RecordingSink final : public store::SessionChangeSink {
 public:
  void OnFeedUp() override;
  void OnFeedDown() override;
  void OnSessionChanged(const session::TokenHash& token_hash) override;
  void OnUserChanged(identity::UserId user_id) override;
  void OnFeedConfirmed(std::chrono::steady_clock::time_point as_of) override;

  // Wait up to `timeout` for the predicate over the recorded state.
  bool WaitUntil(const std::function<bool(const RecordingSink&)>& pred,
                 std::chrono::milliseconds timeout);

  // Read under the sink's lock (inside WaitUntil's predicate) or after the feed stopped.
  int ups = 0;
  int downs = 0;
  int confirms = 0;
  int ups_confirmed = 0;   // OnFeedUp calls with an OnFeedConfirmed since the previous one
  int confirms_at_up = 0;  // confirms at the last OnFeedUp
  std::vector<session::TokenHash> tokens;
  std::vector<identity::UserId> users;
  bool HasToken(const session::TokenHash& hash) const;
  bool HasUser(identity::UserId id) const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace latchkey::testing
