#include "session/session_resolver.h"

#include <memory>
#include <utility>

namespace latchkey::session {

SessionResolver::SessionResolver(SessionStore& store, SessionCache& cache, const Clock& clock,
                                 Seconds touch_interval, RestrictionPolicy restrictions)
    : store_(store),
      cache_(cache),
      clock_(clock),
      touch_interval_(touch_interval),
      restrictions_(restrictions) {}

std::optional<Resolution> SessionResolver::ResolveInMemory(const TokenHash& token_hash) {
  bool refresh_due = false;
  SharedSession hit = cache_.Get(token_hash, refresh_due);
  if (refresh_due && refresher_ != nullptr) refresher_->Request(token_hash);
  if (!hit) return std::nullopt;
  UnixTime now = clock_.Now();
  // Looks ended by this copy: another node may have seen a later use; the store decides.
  if (EffectiveExpiry(hit->session) <= now) return std::nullopt;
  if (now - hit->session.last_seen_at >= touch_interval_ &&
      !RecordUse(token_hash, now, /*may_block=*/false)) {
    return std::nullopt;  // the write would block
  }
  Restrictions restrictions = restrictions_.Of(hit->user);
  return Resolution::Live(std::move(hit), restrictions);
}

Result<Resolution> SessionResolver::Resolve(const TokenHash& token_hash) {
  auto found = store_.FindSessionByTokenHash(token_hash);
  if (!found) return found.error();
  if (!*found) return Resolution::Ended();
  ResolvedSession& current = **found;
  UnixTime now = clock_.Now();
  if (EffectiveExpiry(current.session) <= now) {
    (void)store_.DeleteSessionByTokenHash(token_hash);  // best effort; the sweep retries
    return Resolution::Ended();
  }
  if (now - current.session.last_seen_at >= touch_interval_ &&
      RecordUse(token_hash, now, /*may_block=*/true)) {
    current.session.last_seen_at = now;
  }
  Restrictions restrictions = restrictions_.Of(current.user);
  return Resolution::Live(std::make_shared<const ResolvedSession>(std::move(current)),
                          restrictions);
}

bool SessionResolver::RecordUse(const TokenHash& token_hash, UnixTime now, bool may_block) {
  if (touches_ != nullptr) {
    touches_->Record(token_hash, now);
    cache_.SetLastSeen(token_hash, now);
    return true;
  }
  // Written through; the caching store moves the cached copy's last_seen_at with it.
  return may_block && store_.TouchSession(token_hash, now).has_value();
}

}  // namespace latchkey::session
