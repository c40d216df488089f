#include "flows/session_issuer.h"

#include "base/utf8.h"
#include "crypto/random.h"

namespace latchkey::flows {
namespace {
constexpr std::size_t kUserAgentMax = 512;

// 128 random bits as 22 base64url characters, never starting with '-': an id is pasted into
// `latchkey session revoke <id>`, where a leading '-' reads as an option. Drawn again when it
// does (1 in 64), so ids stay uniform over the rest (127.98 bits).
session::SessionId NewSessionId() {
  for (;;) {
    std::string id = crypto::RandomToken(16);
    if (id.front() != '-') return session::SessionId(std::move(id));
  }
}
}  // namespace

IssuedSession SessionIssuer::Issue(identity::UserId user_id, bool persistent,
                                   const ClientInfo& client) const {
  session::IssuedToken token = tokens_.Issue();
  UnixTime now = clock_.Now();
  IssuedSession out;
  session::SessionRecord& s = out.record;
  s.id = NewSessionId();
  s.user_id = user_id;
  s.token_hash = std::move(token.token_hash);
  s.created_at = now;
  s.last_seen_at = now;
  s.expires_at = now + policy_.lifetime;
  s.user_agent = TruncateUtf8(client.user_agent, kUserAgentMax);
  s.ip = client.ip;
  s.idle_timeout = persistent ? policy_.idle_timeout : policy_.idle_timeout_short;
  s.persistent = persistent;
  out.cookie_value = std::move(token.cookie_value);
  return out;
}

}  // namespace latchkey::flows
