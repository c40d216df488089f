// One storage backend: every store contract (users, sessions, throttling counters, audit
// events) over one connection pool, plus what operators need of it (readiness, export and
// import, change notifications for session caches). Implementations: store/sqlite (the
// embedded default, one process) and store/postgres (many stateless nodes on one database).
//
// Blocking: call from a worker pool, never an I/O thread.
// Errors: kStorageUnavailable when the database fails or does not answer in time.
// Thread-safety: safe from many threads; each call leases one pooled connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "audit/event_store.h"
#include "base/errc.h"
#include "identity/user_store.h"
#include "mail/outbox_store.h"
#include "onetime/token_store.h"
#include "session/account_store.h"
#include "session/session_store.h"
#include "store/feed_nodes.h"
#include "store/pool_usage.h"
#include "throttle/throttle_store.h"

namespace latchkey::store {

// A dialect's user store: the identity contract and the writes that change a user and its
// sessions together (session/account_store.h), implemented by one class per dialect.
class UserStore : public identity::UserStore, public session::AccountStore {};

// Receives session changes committed by any node (see Database::WatchSessionChanges).
// Called from the backend's listener thread.
class SessionChangeSink {
 public:
  virtual ~SessionChangeSink() = default;
  // The feed is live: every change committed from now on will be delivered. Whatever was
  // cached before may be stale: drop it.
  virtual void OnFeedUp() = 0;
  // The feed lost its connection: changes may be missed, stop serving from a cache until
  // OnFeedUp.
  virtual void OnFeedDown() = 0;
  // The session with this token hash (SHA-256 hex) was deleted or replaced.
  virtual void OnSessionChanged(const session::TokenHash& token_hash) = 0;
  // Any session of this user, or the user's name or existence, changed.
  virtual void OnUserChanged(identity::UserId user_id) = 0;
  // Every change committed before `as_of` has been delivered, and this node's row in
  // feed_nodes says so (store/feed_nodes.h). Called before OnFeedUp (the row exists before
  // the cache serves) and at least every kFeedHeartbeat while up. From the first call on, a
  // cache may serve only until as_of + kFeedLease of the latest call.
  virtual void OnFeedConfirmed(std::chrono::steady_clock::time_point as_of) { (void)as_of; }
};

class Database {
 public:
  virtual ~Database() = default;

  virtual UserStore& users() = 0;
  // One-time tokens and the account changes that issue or consume them (email, recovery).
  virtual onetime::TokenStore& tokens() = 0;
  virtual session::SessionStore& sessions() = 0;
  virtual throttle::ThrottleStore& throttles() = 0;
  virtual audit::EventStore& events() = 0;
  virtual mail::OutboxStore& outbox() = 0;

  // "sqlite" or "postgres".
  virtual std::string_view dialect() const = 0;

  // One round trip to the database (readiness: GET /readyz). Errors: kStorageUnavailable.
  virtual Result<void> Ping() = 0;

  // Calls `sink` with every user, in id order (export). Errors: kStorageUnavailable.
  virtual Result<void> ForEachUser(
      const std::function<void(const identity::UserRecord&)>& sink) = 0;

  // Inserts a user as exported elsewhere: username, name, password hash and created_at kept,
  // a new id assigned. Returns false (and writes nothing) when the username is taken.
  // Errors: kStorageUnavailable.
  virtual Result<bool> ImportUser(const identity::UserRecord& user) = 0;

  // Sessions of every user that have not ended at `now` (neither past their absolute expiry
  // nor idle past their idle timeout): the live sessions gauge of /metrics. One COUNT over
  // the sessions table (a full scan: for a scrape, never the request path).
  // Errors: kStorageUnavailable.
  virtual Result<long> CountLiveSessions(UnixTime now) = 0;

  // The connection pool's usage now. No I/O; takes the pool's lock briefly.
  virtual PoolUsage pool_usage() = 0;

  // Starts delivering session changes committed by any process (other nodes, admin
  // commands; this one's own may arrive too: evicting twice is harmless) to `sink`, from a
  // background thread, and registers this process as a node in feed_nodes
  // (store/feed_nodes.h). Returns false when this backend has no other writers to hear from
  // (both dialects have). The sink must outlive the Database. At most one sink.
  virtual bool WatchSessionChanges(SessionChangeSink& sink) = 0;

  // Stops delivering to the sink and joins the feed's thread (no-op when not watching): call
  // before the sink goes, when it goes before the Database. Deletes this node's row in
  // feed_nodes (a stopped node no longer holds up operators' commands); within about a second
  // even when the database does not answer.
  virtual void StopWatchingSessionChanges() = 0;

  // A position of the session change feed at or after every change committed before the
  // call (SQLite: the newest session_changes.seq; PostgreSQL: a new mark, announced by NOTIFY
  // behind those changes). A node whose applied_seq reaches it has applied them.
  // Errors: kStorageUnavailable.
  virtual Result<std::int64_t> MarkChangeFeed() = 0;

  // Every node row in feed_nodes (store/feed_nodes.h), silent ones included, in id order.
  // Errors: kStorageUnavailable.
  virtual Result<std::vector<FeedNode>> ListFeedNodes() = 0;
};

}  // namespace latchkey::store
