#include "app/server_confirmation.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "app/admin_io.h"

namespace latchkey::app {
namespace {

using Steady = std::chrono::steady_clock;

bool Live(const store::FeedNode& n) { return n.silent <= store::kFeedLease; }

const store::FeedNode* Find(const std::vector<store::FeedNode>& rows, const std::string& id) {
  for (const auto& row : rows) {
    if (row.node.id == id) return &row;
  }
  return nullptr;
}

std::string Servers(std::size_t n) {
  return n == 1 ? "1 running server" : std::to_string(n) + " running servers";
}

// "host pid 42, other pid 7"
std::string Names(const std::vector<store::FeedNode>& nodes) {
  std::string out;
  for (const auto& n : nodes) {
    if (!out.empty()) out += ", ";
    out += (n.node.host.empty() ? std::string("?") : n.node.host) + " pid " +
           std::to_string(n.node.pid);
  }
  return out;
}

}  // namespace

Result<ServerConfirmation> ConfirmWithServers(store::Database& db, ConfirmOptions options) {
  Steady::time_point start = Steady::now();
  ServerConfirmation out;
  auto rows = db.ListFeedNodes();
  if (!rows) return rows.error();
  std::vector<store::FeedNode> waiting;
  for (const auto& row : *rows) {
    if (Live(row)) waiting.push_back(row);
  }
  if (waiting.empty()) return out;  // no server running: nothing can serve the old state
  auto mark = db.MarkChangeFeed();
  if (!mark) return mark.error();
  int polls = 0;
  for (;;) {
    std::vector<store::FeedNode> still;
    for (const auto& was : waiting) {
      const store::FeedNode* now = Find(*rows, was.node.id);
      if (!now) {
        out.gone.push_back(was);  // stopped cleanly (or pruned)
      } else if (now->applied_seq >= *mark) {
        out.applied.push_back(*now);
      } else if (!Live(*now)) {
        out.gone.push_back(*now);
      } else {
        still.push_back(*now);
      }
    }
    waiting = std::move(still);
    out.waited = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - start);
    if (waiting.empty() || out.waited >= options.timeout) break;
    // 2, 4, 8 ms, then options.poll: PostgreSQL nodes answer within a round trip or two.
    std::chrono::milliseconds backoff(2 << std::min(polls++, 4));
    std::this_thread::sleep_for(std::min(options.poll, backoff));
    rows = db.ListFeedNodes();
    if (!rows) return rows.error();
  }
  out.pending = std::move(waiting);
  return out;
}

std::string Describe(const ServerConfirmation& c) {
  if (c.applied.empty() && c.gone.empty() && c.pending.empty()) return "no server running";
  std::string out =
      "applied by " + Servers(c.applied.size()) + " in " + std::to_string(c.waited.count()) + " ms";
  if (!c.gone.empty()) {
    out += "; " + std::to_string(c.gone.size()) + " stopped or stalled meanwhile (" +
           Names(c.gone) + ": serves nothing from a cache)";
  }
  if (!c.pending.empty()) {
    out += "; NOT confirmed by " + std::to_string(c.pending.size()) + " (" + Names(c.pending) + ")";
  }
  return out;
}

int FinishChange(AdminContext& ctx, const std::string& done) {
  auto confirmed = ConfirmWithServers(ctx.db());
  if (!confirmed) {
    std::printf("%s\n", done.c_str());
    std::fflush(stdout);
    std::fprintf(stderr, "latchkey: done, but whether running servers applied it is unknown: %s\n",
                 std::string(MessageOf(confirmed.error())).c_str());
    return kExitNotConfirmed;
  }
  std::printf("%s; %s\n", done.c_str(), Describe(*confirmed).c_str());
  if (confirmed->pending.empty()) return 0;
  std::fflush(stdout);
  std::fprintf(stderr,
               "latchkey: done, but %s did not confirm within %lld ms: it may serve the old "
               "state until its change feed catches up (see docs/OPERATIONS.md)\n",
               Names(confirmed->pending).c_str(),
               static_cast<long long>(confirmed->waited.count()));
  return kExitNotConfirmed;
}

}  // namespace latchkey::app
