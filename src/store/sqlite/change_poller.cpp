#include "store/sqlite/change_poller.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "store/sqlite/connection.h"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kDataVersion = "PRAGMA data_version";
constexpr const char* kMaxSeq = "SELECT COALESCE(MAX(seq), 0) FROM session_changes";
constexpr const char* kChangesAfter =
    "SELECT seq, token_hash, user_id FROM session_changes WHERE seq > ?1 ORDER BY seq LIMIT ?2";
constexpr const char* kPrune = "DELETE FROM session_changes WHERE at < unixepoch() - 60";
constexpr auto kPruneEvery = std::chrono::seconds(60);

struct Change {
  std::int64_t seq = 0;
  std::optional<session::TokenHash> token_hash;  // a session change
  std::optional<identity::UserId> user_id;       // a user change
};

}  // namespace

ChangePoller::ChangePoller(std::string path, std::chrono::milliseconds interval)
    : path_(std::move(path)), interval_(interval) {}

ChangePoller::~ChangePoller() = default;  // worker_ first, then conn_

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

void ChangePoller::Prune() {
  auto now = std::chrono::steady_clock::now();
  if (now < next_prune_) return;
  next_prune_ = now + kPruneEvery;
  if (conn_->Exec(kPrune) != SQLITE_OK) {
    spdlog::warn("session change feed: cannot prune: {}", conn_->ErrorMessage());
  }
}

bool ChangePoller::PollOnce() {
  // data_version changes whenever another connection (of any process) commits: an idle
  // database costs this pragma only.
  std::int64_t version = -1;
  if (auto stmt = conn_->Prepare(kDataVersion); stmt && stmt->Step() == SQLITE_ROW) {
    version = stmt->Int(0);
  }
  bool failed = version < 0;
  if (!failed && up_ && version == data_version_) {
    Prune();
    return true;
  }
  std::vector<Change> changes;
  bool overflow = false;
  bool gap = false;
  if (!failed && !up_) {
    failed = !Position();
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
  Prune();
  return true;
}

}  // namespace latchkey::store::sqlite
