#include "store/sqlite/change_poller.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/query.h"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kDataVersion = "PRAGMA data_version";
constexpr const char* kMaxSeq = "SELECT COALESCE(MAX(seq), 0) FROM session_changes";
constexpr const char* kChangesAfter =
    "SELECT seq, token_hash, user_id FROM session_changes WHERE seq > ?1 ORDER BY seq LIMIT ?2";
constexpr const char* kPrune = "DELETE FROM session_changes WHERE at < unixepoch() - 60";
constexpr const char* kReportNode =
    "INSERT INTO feed_nodes (id, host, pid, applied_seq, heartbeat_ms) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (id) DO UPDATE SET applied_seq = excluded.applied_seq,"
    " heartbeat_ms = excluded.heartbeat_ms";
constexpr const char* kPruneNodes = "DELETE FROM feed_nodes WHERE heartbeat_ms < ?1";
constexpr const char* kDeleteNode = "DELETE FROM feed_nodes WHERE id = ?1";
constexpr auto kPruneEvery = std::chrono::seconds(60);

struct Change {
  std::int64_t seq = 0;
  std::optional<session::TokenHash> token_hash;  // a session change
  std::optional<identity::UserId> user_id;       // a user change
};

std::int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ChangePoller::ChangePoller(std::string path, std::chrono::milliseconds interval)
    : path_(std::move(path)), interval_(interval) {}

ChangePoller::~ChangePoller() {
  worker_.reset();  // no poll under way from here on
  if (conn_ && registered_) {
    // A stopped server no longer holds up operators' commands. Failing is harmless: the row
    // goes silent and is ignored, then pruned.
    (void)Run(*conn_, kDeleteNode, "unregister feed node", node_.id);
  }
}

void ChangePoller::Attach(SessionChangeSink& sink) {
  sink_ = &sink;
  conn_ = std::make_unique<Connection>(path_);
  next_prune_ = std::chrono::steady_clock::now();
  PollOnce();  // the feed is up (or known down) before the first request
}

void ChangePoller::Start(SessionChangeSink& sink) {
  Attach(sink);
  worker_.emplace(interval_, [this] { PollOnce(); });
}

bool ChangePoller::Position() {
  auto stmt = conn_->Prepare(kMaxSeq);
  if (!stmt || stmt->Step() != SQLITE_ROW) return false;
  last_seq_ = stmt->Int(0);
  return true;
}

bool ChangePoller::Report(SteadyTime as_of, std::int64_t wall_ms) {
  auto written = Run(*conn_, kReportNode, "feed node heartbeat", node_.id, node_.host, node_.pid,
                     last_seq_, wall_ms);
  if (!written) return false;
  registered_ = true;
  reported_seq_ = last_seq_;
  reported_at_ = as_of;
  sink_->OnFeedConfirmed(as_of);
  return true;
}

void ChangePoller::Prune(std::int64_t wall_ms) {
  auto now = std::chrono::steady_clock::now();
  if (now < next_prune_) return;
  next_prune_ = now + kPruneEvery;
  if (conn_->Exec(kPrune) != SQLITE_OK) {
    spdlog::warn("session change feed: cannot prune: {}", conn_->ErrorMessage());
  }
  (void)Run(*conn_, kPruneNodes, "prune feed nodes", wall_ms - kFeedNodePrune.count());
}

bool ChangePoller::PollOnce() {
  // Taken before anything is read: every change committed before `as_of` is seen by this
  // poll, and the row's heartbeat is no earlier than `as_of` (the lease is sound).
  SteadyTime as_of = std::chrono::steady_clock::now();
  std::int64_t wall_ms = WallMs();
  if (!ReadChanges(as_of, wall_ms)) return false;
  if (last_seq_ != reported_seq_ || as_of - reported_at_ >= kFeedHeartbeat) {
    Report(as_of, wall_ms);  // a failure lets the lease run out: the cache stops serving
  }
  Prune(wall_ms);
  return true;
}

bool ChangePoller::ReadChanges(SteadyTime as_of, std::int64_t wall_ms) {
  // data_version changes whenever another connection (of any process) commits: an idle
  // database costs this pragma only.
  std::int64_t version = -1;
  if (auto stmt = conn_->Prepare(kDataVersion); stmt && stmt->Step() == SQLITE_ROW) {
    version = stmt->Int(0);
  }
  bool failed = version < 0;
  if (!failed && up_ && version == data_version_) return true;
  std::vector<Change> changes;
  bool overflow = false;
  bool gap = false;
  if (!failed && !up_) {
    // The row before the cache serves: a command that finds no row for this process may
    // rely on it serving nothing stale.
    failed = !Position() || !Report(as_of, wall_ms);
  } else if (!failed) {
    auto stmt = conn_->Prepare(kChangesAfter);
    failed = !stmt;
    if (stmt) {
      stmt->Bind(1, last_seq_).Bind(2, std::int64_t{kMaxBatch + 1});
      int rc;
      while ((rc = stmt->Step()) == SQLITE_ROW) {
        Change c;
        c.seq = stmt->Int(0);
        if (!stmt->IsNull(1)) c.token_hash = session::TokenHash(stmt->Text(1));
        if (!stmt->IsNull(2)) c.user_id = identity::UserId(stmt->Int(2));
        changes.push_back(std::move(c));
      }
      failed = rc != SQLITE_DONE;
    }
    // AUTOINCREMENT numbers commits without holes (a rolled-back write takes its number
    // back): a hole means rows pruned before this poller read them.
    gap = !changes.empty() && changes.front().seq != last_seq_ + 1;
    overflow = static_cast<int>(changes.size()) > kMaxBatch;
  }
  if (failed) {
    if (up_) {
      spdlog::warn("session change feed down: {}", conn_->ErrorMessage());
      sink_->OnFeedDown();
    }
    up_ = false;
    return false;
  }
  data_version_ = version;
  if (!up_) {
    up_ = true;
    sink_->OnFeedUp();  // drops whatever was cached before
    return true;
  }
  if (gap || overflow) {
    // Position first, then drop: a change committed after the new position is read by the
    // next poll; every one before it is covered by the drop.
    if (overflow && !Position()) {
      sink_->OnFeedDown();
      up_ = false;
      return false;
    }
    if (!overflow) last_seq_ = changes.back().seq;
    spdlog::warn("session change feed: changes missed, dropping the session cache");
    sink_->OnFeedDown();
    sink_->OnFeedUp();
    return true;
  }
  for (const Change& c : changes) {
    if (c.token_hash) sink_->OnSessionChanged(*c.token_hash);
    if (c.user_id) sink_->OnUserChanged(*c.user_id);
    last_seq_ = c.seq;
  }
  return true;
}

}  // namespace latchkey::store::sqlite
