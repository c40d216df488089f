// The PostgreSQL backend: every store contract over one pool of libpq connections, for many
// stateless server nodes sharing one database. Same SQL semantics as store/sqlite, statement
// by statement; session changes are announced with NOTIFY in the transaction of the change
// (see session_notify.h) and heard through WatchSessionChanges.
//
// Startup: the constructor connects once, migrates (under an advisory lock: nodes starting
// together take turns) and throws std::runtime_error when libpq cannot parse the URL, the
// database is unreachable, the migration fails, or the schema is newer than this binary (no
// message quotes the URL or its password). After that, failures are values:
// kStorageUnavailable within ~6 s of a call even when the server stalls (client-side deadline
// of 6 s per round trip, 3 s per connect, 5 s pool wait), never a hang, and the pool
// reconnects by itself when the database comes back.
//
// Blocking: call from a worker pool, never an I/O thread.
// Thread-safety: safe from many threads; each call leases one pooled connection.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "store/database.h"
#include "store/postgres/pool.h"
#include "store/postgres/postgres_audit_store.h"
#include "store/postgres/postgres_outbox_store.h"
#include "store/postgres/postgres_session_store.h"
#include "store/postgres/postgres_throttle_store.h"
#include "store/postgres/postgres_token_store.h"
#include "store/postgres/postgres_user_store.h"
#include "store/postgres/session_feed.h"

namespace latchkey::store::postgres {

class PostgresDatabase final : public Database {
 public:
  // `url`: a libpq connection URI (postgres://user:password@host:port/dbname?...) or
  // key=value string; never logged (it may hold a password). `pool_size`: connections kept
  // open at most (at least 1), opened on first use.
  PostgresDatabase(const std::string& url, std::size_t pool_size);
  ~PostgresDatabase() override;

  UserStore& users() override { return users_; }
  onetime::TokenStore& tokens() override { return tokens_; }
  session::SessionStore& sessions() override { return sessions_; }
  throttle::ThrottleStore& throttles() override { return throttles_; }
  audit::EventStore& events() override { return events_; }
  mail::OutboxStore& outbox() override { return outbox_; }

  std::string_view dialect() const override { return "postgres"; }

  Result<void> Ping() override;
  // Keyset pages of 1000 users by id; no transaction spans the pages (a slow sink must not
  // hold one open), so users added or removed meanwhile may or may not be seen.
  Result<void> ForEachUser(const std::function<void(const identity::UserRecord&)>& sink) override;
  Result<bool> ImportUser(const identity::UserRecord& user) override;
  Result<long> CountLiveSessions(UnixTime now) override;
  PoolUsage pool_usage() override;
  // Starts the feed thread (its own connection); returns true. Throws std::logic_error when
  // called twice (at most one sink).
  bool WatchSessionChanges(SessionChangeSink& sink) override;
  // Stops the feed, then deletes the node's row through the pool (at most ~1 s each to get a
  // connection and for the DELETE). The destructor stops the feed only: the row then goes
  // silent and is pruned.
  void StopWatchingSessionChanges() override;
  // A new mark, announced by NOTIFY (session_notify.h: kMarkFeed).
  Result<std::int64_t> MarkChangeFeed() override;
  // `silent` by the database server's clock, as the nodes write it (session_feed.h).
  Result<std::vector<FeedNode>> ListFeedNodes() override;

 private:
  const std::string url_;
  Pool pool_;
  PostgresUserStore users_;
  PostgresTokenStore tokens_;
  PostgresSessionStore sessions_;
  PostgresThrottleStore throttles_;
  PostgresAuditStore events_;
  PostgresOutboxStore outbox_;
  std::mutex feed_mu_;
  std::unique_ptr<SessionFeed> feed_;
  FeedNodeIdentity node_;  // the feed's row, while watching (guarded by feed_mu_)
};

}  // namespace latchkey::store::postgres
