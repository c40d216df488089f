// The read path of a session: from the token hash of a verified session cookie to a live
// principal, once per request. The session check of every authenticated request runs here.
//
// Two steps, so that a session check stays on the I/O thread when it can:
//   ResolveInMemory  never blocks: answers from the session cache when the session is cached
//                    and live by its cached copy, recording a due use in the touch batcher;
//                    nullopt otherwise (not cached, looks ended, or a use to record without a
//                    batcher): call Resolve on a worker pool.
//   Resolve          blocking: one store read (which re-caches the session, see
//                    store/caching_store.h), the expiry rule, the ended session deleted, a due
//                    use recorded. It does not probe the cache again: the caller did.
// Rules (OWASP Session Management Cheat Sheet "Session Expiration"; ASVS 3.3.1-3.3.2): a session
// ends at its absolute lifetime or after its idle timeout, whichever comes first; an ended
// session is refused and deleted. A use is recorded (last_seen_at) at most once per
// touch_interval: once a minute is precise enough for idle timeouts counted in hours, and a
// write per request would make every session check a database write.
// Cached sessions due for a refresh (SessionCache::RefreshAfter) are handed to the refresher.
// Thread-safety: safe from many threads (the cache, batcher and store are).
#pragma once

#include <optional>

#include "base/clock.h"
#include "base/errc.h"
#include "session/cache_refresher.h"
#include "session/principal.h"
#include "session/session_cache.h"
#include "session/session_store.h"
#include "session/touch_batcher.h"

namespace latchkey::session {

class SessionResolver {
 public:
  // store: the session store behind the cache (store::CachingStore: a read re-caches, a delete
  // evicts, a touch moves the cached copy's last_seen_at); touch_interval: seconds between two
  // recorded uses of one session (>= 1).
  // restrictions: what a live session's user makes it carry (session/principal.h).
  SessionResolver(SessionStore& store, SessionCache& cache, const Clock& clock,
                  Seconds touch_interval, RestrictionPolicy restrictions = {});

  // Records uses in `batcher` from now on (nullptr: written through by Resolve). Must outlive
  // its use here.
  void SetTouchBatcher(TouchBatcher* batcher) { touches_ = batcher; }
  // Hands cached sessions due for a refresh to `refresher` (nullptr: none). Must outlive its
  // use here.
  void SetRefresher(CacheRefresher* refresher) { refresher_ = refresher; }

  // See above. Never blocks; safe on an I/O thread.
  std::optional<Resolution> ResolveInMemory(const TokenHash& token_hash);

  // See above. Errors: kStorageUnavailable.
  Result<Resolution> Resolve(const TokenHash& token_hash);

  const Clock& clock() const { return clock_; }

 private:
  // Records a use at `now`: in the batcher (and the cached copy) without blocking, else, when
  // may_block, written through the store. False when it was not recorded.
  bool RecordUse(const TokenHash& token_hash, UnixTime now, bool may_block);

  SessionStore& store_;
  SessionCache& cache_;
  const Clock& clock_;
  Seconds touch_interval_;
  RestrictionPolicy restrictions_;
  TouchBatcher* touches_ = nullptr;
  CacheRefresher* refresher_ = nullptr;
};

}  // namespace latchkey::session
