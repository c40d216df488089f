// Which server nodes are running on a database, and how far each has applied the session
// change feed: what lets an operator's command (`latchkey user disable`, `session revoke`, ...)
// return only once every running server has stopped serving the state it changed.
//
// The protocol, on both dialects (table feed_nodes, migration 6):
// - A node's change feed registers a row (a random id, host name, pid) BEFORE its session cache
//   starts serving, and rewrites it at least every kFeedHeartbeat while the feed is up:
//   applied_seq, the feed position up to which every change has been handed to the cache (the
//   cache evicted first, the row written after), and heartbeat_ms, when (by the database's
//   clock: SQLite's host, PostgreSQL's server) the write began.
// - After each such write the feed tells its sink (SessionChangeSink::OnFeedConfirmed), which
//   serves from its cache only until kFeedLease after the write began. So a node whose row is
//   silent for longer than kFeedLease (stopped, stalled, or its writes failing) serves nothing
//   from its cache: it reads the database, which already holds the change.
// - A command, after its write committed, takes a position at or after it
//   (Database::MarkChangeFeed) and waits until every node either reports applied_seq at or
//   past it or is silent for longer than kFeedLease (app/server_confirmation.h).
// - A node deletes its row when it stops cleanly; rows silent for a minute are pruned by the
//   other nodes' feeds.
// Thread-safety: plain values and constants.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace latchkey::store {

// A running feed rewrites its node's row at least this often (and after applying a mark).
inline constexpr std::chrono::milliseconds kFeedHeartbeat{1000};
// A node serves from its session cache only this long after its row's last write began; a
// row silent for longer belongs to a node that serves nothing from its cache. Three
// heartbeats: a write delayed by two seconds (a busy SQLite file, a slow PostgreSQL) does not
// switch the cache off.
inline constexpr std::chrono::milliseconds kFeedLease{3000};
// Rows silent for this long are deleted (a node that crashed never deletes its own).
inline constexpr std::chrono::milliseconds kFeedNodePrune{60000};

// What identifies a node's row, and where the process runs (for an operator's messages).
struct FeedNodeIdentity {
  std::string id;    // 32 hex characters, random per feed
  std::string host;  // gethostname()
  std::int64_t pid = 0;
};

// This process, with a fresh random id.
FeedNodeIdentity ThisProcessNode();

// A node's row as a command reads it.
struct FeedNode {
  FeedNodeIdentity node;
  std::int64_t applied_seq = 0;      // every change up to this feed position is applied
  std::chrono::milliseconds silent;  // since its last write began, by the database's clock
};

}  // namespace latchkey::store
