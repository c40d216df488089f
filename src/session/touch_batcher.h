// Session touches (last_seen_at) gathered in memory and written in one batch every `interval`
// (SessionStore::TouchSessions), so a session check whose touch is due needs no database
// write and no worker thread: the check stays on the I/O thread, and the database sees one
// transaction a second instead of one per touched session.
//
// Durability: a crash loses at most `interval` of touches; those sessions' idle expiry then
// counts from a use up to touch_interval + interval earlier (seconds, against idle timeouts of
// hours; OWASP Session Management Cheat Sheet, "Idle Timeout"). Writes never move
// last_seen_at backwards, so late or repeated batches (this node's or another's) are harmless.
// A failed write keeps its touches for the next round; memory is one entry per touched session.
// Thread-safety: Record and pending from any thread; owns one thread (a PeriodicWorker); the
// destructor stops it and writes what is left.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "base/errc.h"
#include "base/periodic_worker.h"
#include "session/session_store.h"

namespace latchkey::session {

class TouchBatcher {
 public:
  // store: where the batches go (the database's own store, not a cache in front of it).
  TouchBatcher(SessionStore& store, std::chrono::milliseconds interval);
  ~TouchBatcher();
  TouchBatcher(const TouchBatcher&) = delete;
  TouchBatcher& operator=(const TouchBatcher&) = delete;

  // Notes a use of the session with this token hash at `at` (Unix seconds). Never blocks on
  // the database.
  void Record(const TokenHash& token_hash, UnixSeconds at);

  // Writes every pending touch now, in one TouchSessions call. Returns how many were written;
  // on the store's error they stay pending (blocking: a database round trip).
  Result<std::size_t> Flush();

  // Touches not written yet.
  std::size_t pending() const;

  // The latest use of this session not written yet, if any.
  std::optional<UnixSeconds> Pending(const TokenHash& token_hash) const;

 private:
  void FlushAndLog();
  // Keeps the latest of `at` and what is pending for the session (mu_ held).
  void Merge(TokenHash token_hash, UnixSeconds at);

  SessionStore& store_;
  mutable std::mutex mu_;
  std::unordered_map<TokenHash, UnixSeconds> pending_;  // token hash -> latest use
  std::mutex flush_mu_;    // one Flush at a time (the worker's and a caller's)
  PeriodicWorker worker_;  // last: stops before the members it uses go away
};

}  // namespace latchkey::session
