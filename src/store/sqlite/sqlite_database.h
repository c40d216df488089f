// store::Database over one SQLite file: the embedded default (one server process serves the
// file; WAL lets its readers run beside its one writer). Admin commands (`latchkey user ...`,
// `latchkey session ...`) may write from other processes: the server hears of their session
// changes through sqlite/change_poller.h.
// Blocking: call from a worker pool. Thread-safety: safe from many threads.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "store/database.h"
#include "store/sqlite/change_poller.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_audit_store.h"
#include "store/sqlite/sqlite_outbox_store.h"
#include "store/sqlite/sqlite_session_store.h"
#include "store/sqlite/sqlite_throttle_store.h"
#include "store/sqlite/sqlite_token_store.h"
#include "store/sqlite/sqlite_user_store.h"

namespace latchkey::store::sqlite {

class SqliteDatabase final : public Database {
 public:
  // Opens (creating) the file at `path` with `pool_size` connections and runs migrations.
  // Throws std::runtime_error at startup.
  SqliteDatabase(const std::string& path, std::size_t pool_size);

  // How often a serving process polls for other processes' session changes.
  static constexpr std::chrono::milliseconds kFeedInterval{250};

  UserStore& users() override { return users_; }
  onetime::TokenStore& tokens() override { return tokens_; }
  session::SessionStore& sessions() override { return sessions_; }
  throttle::ThrottleStore& throttles() override { return throttles_; }
  audit::EventStore& events() override { return events_; }
  mail::OutboxStore& outbox() override { return outbox_; }
  std::string_view dialect() const override { return "sqlite"; }

  Result<void> Ping() override;
  Result<void> ForEachUser(const std::function<void(const identity::UserRecord&)>& sink) override;
  Result<bool> ImportUser(const identity::UserRecord& user) override;
  Result<long> CountLiveSessions(UnixTime now) override;
  PoolUsage pool_usage() override;
  // Polls session_changes every kFeedInterval (sqlite/change_poller.h).
  bool WatchSessionChanges(SessionChangeSink& sink) override;
  void StopWatchingSessionChanges() override { poller_.reset(); }
  // The newest session_changes.seq: the changes' own numbers are the feed's positions.
  Result<std::int64_t> MarkChangeFeed() override;
  // `silent` by this host's wall clock, as the nodes write it (sqlite/change_poller.h).
  Result<std::vector<FeedNode>> ListFeedNodes() override;

 private:
  std::string path_;
  ConnectionPool pool_;
  SqliteUserStore users_;
  SqliteTokenStore tokens_;
  SqliteSessionStore sessions_;
  SqliteThrottleStore throttles_;
  SqliteAuditStore events_;
  SqliteOutboxStore outbox_;
  std::unique_ptr<ChangePoller> poller_;  // last: stopped before the stores go
};

}  // namespace latchkey::store::sqlite
