// An operator's change takes effect when the command returns: after `latchkey user disable`
// (delete, set-password, enable) or `session revoke` has committed, it waits until every
// server running on the database has applied the change, and says so.
//
// Which servers run, and how far each has applied the change feed, is what they record in
// feed_nodes (store/feed_nodes.h). The command lists the rows once after its commit: the
// servers whose row is fresh (written within kFeedLease) are the running ones; a server that
// starts later registered after the commit and cached nothing from before it. It takes a feed
// position at or after its change (Database::MarkChangeFeed) and reads the rows again (after
// 2, 4, 8 ms, then every 20 ms) until each of those servers
// - has applied_seq at or past the position: it evicted what the change touched; or
// - has gone silent (row older than kFeedLease, or deleted: stopped, crashed, stalled): it
//   serves nothing from its cache any more, so it reads the database, which holds the change;
// or until the deadline (5 s; a running server confirms within its poll, 250 ms on SQLite,
// a round trip on PostgreSQL, and falls silent within 3 s), when the rest are reported as not
// confirmed. No fresh row at all: no server running, the command returns at once.
//
// A request a server had already resolved before the change (in flight when the command ran)
// may still complete; every request that starts after the command returned sees the change.
// Blocking: database reads and sleeps. Thread-safety: for the command's thread.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "app/admin_context.h"
#include "base/errc.h"
#include "store/database.h"

namespace latchkey::app {

// Exit code of a command whose change committed but that not every running server confirmed
// (see admin_commands.h).
inline constexpr int kExitNotConfirmed = 3;

struct ServerConfirmation {
  std::vector<store::FeedNode> applied;  // running servers that applied the change
  std::vector<store::FeedNode> gone;     // fell silent or stopped while waited for
  std::vector<store::FeedNode> pending;  // still running without having applied it
  std::chrono::milliseconds waited{0};
};

struct ConfirmOptions {
  std::chrono::milliseconds timeout{5000};
  std::chrono::milliseconds poll{20};  // between reads of the rows, once the first few passed
};

// Waits as above. Errors: kStorageUnavailable (the database failed while waiting).
Result<ServerConfirmation> ConfirmWithServers(store::Database& db, ConfirmOptions options = {});

// "applied by 2 running servers in 130 ms", "no server running", with the servers that went
// silent meanwhile ("...; 1 stopped meanwhile (host pid 42: serves nothing from a cache)").
std::string Describe(const ServerConfirmation& c);

// Ends a command whose change committed: waits for the running servers, prints
// "<done>; <Describe>" on stdout, and, for servers that did not confirm, one line on stderr
// naming them. Returns 0, or kExitNotConfirmed.
int FinishChange(AdminContext& ctx, const std::string& done);

}  // namespace latchkey::app
