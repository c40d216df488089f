#include "flows/session_issuer.h"

#include "base/utf8.h"
#include "crypto/random.h"

namespace latchkey::flows {
namespace {
constexpr std::size_t kUserAgentMax = 512;
}  // namespace

IssuedSession SessionIssuer::Issue(identity::UserId user_id, bool persistent,
                                   const ClientInfo& client) const {
  session::IssuedToken token = tokens_.Issue();
  UnixSeconds now = clock_.Now();
  IssuedSession out;
  session::SessionRecord& s = out.record;
  s.id = session::SessionId(crypto::RandomToken(16));
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
