#include "contract/store_test_support.h"

#include <algorithm>
#include <thread>
#include <utility>

namespace latchkey::testing {

session::TokenHash TokenHashOf(const std::string& tag) {
  std::string h = "feed" + tag;
  h.resize(64, '0');
  return session::TokenHash(std::move(h));
}

session::SessionRecord MakeSession(identity::UserId user_id, const std::string& tag,
                                   UnixTime created_at, UnixTime expires_at, Seconds idle_timeout) {
  session::SessionRecord s;
  s.id = session::SessionId("sid-" + tag);
  s.user_id = user_id;
  s.token_hash = TokenHashOf(tag);
  s.created_at = created_at;
  s.last_seen_at = created_at;
  s.expires_at = expires_at;
  s.user_agent = "test-agent/1.0";
  s.ip = "192.0.2.1";
  s.idle_timeout = idle_timeout;
  s.persistent = true;
  return s;
}

identity::NewUser MakeUser(const std::string& username, UnixTime created_at) {
  return identity::NewUser{username, "Name of " + username, "$argon2id$v=19$m=65536,t=2,p=1$x$y",
                           created_at};
}

throttle::ThrottleState Increment(const throttle::ThrottleState& before) {
  throttle::ThrottleState after = before;
  ++after.failures;
  after.last_failure_at = FromUnixSeconds(1'700'000'000 + after.failures);
  return after;
}

audit::AuthEvent MakeEvent(UnixTime at, std::string type, std::optional<identity::UserId> user_id) {
  audit::AuthEvent e;
  e.at = at;
  e.type = std::move(type);
  e.user_id = user_id;
  e.username = "someone";
  e.ip = "198.51.100.7";
  e.user_agent = "agent";
  return e;
}

bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

void RecordingSink::OnFeedUp() {
  std::lock_guard lock(mu_);
  ++ups;
  ups_confirmed += confirms > confirms_at_up;
  confirms_at_up = confirms;
  cv_.notify_all();
}

void RecordingSink::OnFeedConfirmed(std::chrono::steady_clock::time_point) {
  std::lock_guard lock(mu_);
  ++confirms;
  cv_.notify_all();
}

void RecordingSink::OnFeedDown() {
  std::lock_guard lock(mu_);
  ++downs;
  cv_.notify_all();
}

void RecordingSink::OnSessionChanged(const session::TokenHash& token_hash) {
  std::lock_guard lock(mu_);
  tokens.emplace_back(token_hash);
  cv_.notify_all();
}

void RecordingSink::OnUserChanged(identity::UserId user_id) {
  std::lock_guard lock(mu_);
  users.push_back(user_id);
  cv_.notify_all();
}

bool RecordingSink::WaitUntil(const std::function<bool(const RecordingSink&)>& pred,
                              std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return pred(*this); });
}

bool RecordingSink::HasToken(const session::TokenHash& hash) const {
  return std::find(tokens.begin(), tokens.end(), hash) != tokens.end();
}

bool RecordingSink::HasUser(identity::UserId id) const {
  return std::find(users.begin(), users.end(), id) != users.end();
}

}  // namespace latchkey::testing
