#include "metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace latchkey::metrics {
namespace {

constexpr std::size_t kMethods = kMethodNames.size();
constexpr std::size_t kStatusSlots = kStatuses.size() + 1;  // + "other"
constexpr std::size_t kBuckets = kBucketBounds.size() + 1;  // + "+Inf"

// status -> its index in kStatuses, or kStatuses.size() for "other"; a table, not a search.
struct StatusTable {
  std::array<std::uint8_t, 500> index{};
  constexpr StatusTable() {
    for (auto& i : index) i = static_cast<std::uint8_t>(kStatuses.size());
    for (std::size_t i = 0; i < kStatuses.size(); ++i) {
      index[static_cast<std::size_t>(kStatuses[i] - 100)] = static_cast<std::uint8_t>(i);
    }
  }
};
constexpr StatusTable kStatusTable;

std::size_t StatusSlot(int status) {
  if (status < 100 || status >= 600) return kStatuses.size();
  return kStatusTable.index[static_cast<std::size_t>(status - 100)];
}

// Bucket upper bounds in nanoseconds, compared as integers on the hot path.
constexpr std::array<std::uint64_t, kBucketBounds.size()> kBoundNanos = [] {
  std::array<std::uint64_t, kBucketBounds.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::uint64_t>(kBucketBounds[i] * 1e9 + 0.5);
  }
  return out;
}();

std::atomic<std::uint64_t> next_registry_id{1};

// Written by one thread only: a plain load and store, not a locked read-modify-write.
inline void Bump(std::atomic<std::uint64_t>& counter, std::uint64_t by) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

void AppendNumber(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  // Shortest round-trip digits in fixed notation: le="0.0001", not le="1e-04".
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  out.append(buf, ec == std::errc() ? end : buf);
}

void AppendNumber(std::string& out, std::uint64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, ec == std::errc() ? end : buf);
}

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

}  // namespace

// One thread's counters. Cache-line aligned so that two threads' shards never share a line.
struct alignas(64) Registry::Shard {
  explicit Shard(std::size_t slots)
      : requests(std::make_unique<std::atomic<std::uint64_t>[]>(slots * kMethods * kStatusSlots)),
        buckets(std::make_unique<std::atomic<std::uint64_t>[]>(slots * kBuckets)),
        sum_nanos(std::make_unique<std::atomic<std::uint64_t>[]>(slots)) {}
  std::unique_ptr<std::atomic<std::uint64_t>[]> requests;   // [slot][method][status]
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets;    // [slot][bucket], not cumulative
  std::unique_ptr<std::atomic<std::uint64_t>[]> sum_nanos;  // [slot]
};

Registry::Registry(std::vector<std::string> routes, int login_route)
    : routes_(std::move(routes)),
      login_route_(login_route),
      id_(next_registry_id.fetch_add(1, std::memory_order_relaxed)) {}

Registry::~Registry() = default;

Registry::Shard& Registry::LocalShard() {
  // A thread observes for one registry in practice (the server's); a thread that alternates
  // between registries (tests) gets a new shard at each switch, which only costs memory.
  thread_local std::uint64_t owner = 0;
  thread_local Shard* shard = nullptr;
  if (owner != id_) {
    auto fresh = std::make_unique<Shard>(Slots());
    std::lock_guard lock(mu_);
    shard = fresh.get();
    shards_.push_back(std::move(fresh));
    owner = id_;
  }
  return *shard;
}

void Registry::ObserveRequest(std::size_t slot, std::size_t method, int status,
                              std::uint64_t nanos) {
  if (slot >= Slots()) slot = OtherSlot();
  if (method >= kMethods) method = kMethods - 1;
  Shard& shard = LocalShard();
  Bump(shard.requests[(slot * kMethods + method) * kStatusSlots + StatusSlot(status)], 1);
  std::size_t bucket = static_cast<std::size_t>(
      std::lower_bound(kBoundNanos.begin(), kBoundNanos.end(), nanos) - kBoundNanos.begin());
  Bump(shard.buckets[slot * kBuckets + bucket], 1);
  Bump(shard.sum_nanos[slot], nanos);
}

void Registry::AddRenderer(std::function<void(std::string&)> render) {
  renderers_.push_back(std::move(render));
}

void Registry::AddGauge(std::string name, std::string help, std::function<double()> read,
                        std::string type) {
  gauges_.push_back(Gauge{std::move(name), std::move(help), std::move(type), std::move(read)});
}

std::uint64_t Registry::Sum(std::size_t index, bool histogram) const {
  std::uint64_t total = 0;
  std::lock_guard lock(mu_);
  for (const auto& shard : shards_) {
    const auto& array = histogram ? shard->buckets : shard->requests;
    total += array[index].load(std::memory_order_relaxed);
  }
  return total;
}

std::uint64_t Registry::RequestCount(std::size_t slot, std::size_t method, int status) const {
  if (slot >= Slots() || method >= kMethods) return 0;
  return Sum((slot * kMethods + method) * kStatusSlots + StatusSlot(status), false);
}

std::string_view Registry::SlotLabel(std::size_t slot) const {
  if (slot < routes_.size()) return routes_[slot];
  if (slot == OtherSlot()) return "other";
  if (slot == PageSlot()) return "page";
  return "assets";
}

void Registry::RenderRequests(std::string& out) const {
  Header(out, "latchkey_http_requests_total", "counter",
         "HTTP requests answered, by route pattern, method and status.");
  for (std::size_t slot = 0; slot < Slots(); ++slot) {
    std::string route = EscapeLabelValue(SlotLabel(slot));
    for (std::size_t m = 0; m < kMethods; ++m) {
      for (std::size_t s = 0; s < kStatusSlots; ++s) {
        std::uint64_t n = Sum((slot * kMethods + m) * kStatusSlots + s, false);
        if (n == 0) continue;  // label sets seen so far only: a few dozen, not 4,000
        out.append("latchkey_http_requests_total{route=\"").append(route);
        out.append("\",method=\"").append(kMethodNames[m]).append("\",status=\"");
        if (s < kStatuses.size()) {
          AppendNumber(out, static_cast<std::uint64_t>(kStatuses[s]));
        } else {
          out += "other";
        }
        out += "\"} ";
        AppendNumber(out, n);
        out += '\n';
      }
    }
  }
}

void Registry::RenderDurations(std::string& out) const {
  Header(out, "latchkey_http_request_duration_seconds", "histogram",
         "Time from the request's header block read to the end of the response write, by "
         "route pattern.");
  for (std::size_t slot = 0; slot < Slots(); ++slot) {
    // Routes of one pattern (GET and HEAD of /.well-known/jwks.json) share one series: the
    // first slot of the pattern renders them all, the others are skipped (no duplicate series).
    auto same_pattern = [&](std::size_t other) {
      return slot < routes_.size() && other < routes_.size() && routes_[other] == routes_[slot];
    };
    bool seen_before = false;
    for (std::size_t other = 0; other < slot; ++other) seen_before |= same_pattern(other);
    if (seen_before) continue;
    std::array<std::uint64_t, kBuckets> counts{};
    std::uint64_t sum = 0;
    {
      std::lock_guard lock(mu_);
      for (std::size_t from = slot; from < Slots(); ++from) {
        if (from != slot && !same_pattern(from)) continue;
        for (const auto& shard : shards_) {
          for (std::size_t b = 0; b < kBuckets; ++b) {
            counts[b] += shard->buckets[from * kBuckets + b].load(std::memory_order_relaxed);
          }
          sum += shard->sum_nanos[from].load(std::memory_order_relaxed);
        }
      }
    }
    std::uint64_t total = 0;
    for (auto c : counts) total += c;
    if (total == 0 && slot >= routes_.size()) continue;  // unmatched kinds appear once seen
    std::string prefix = "latchkey_http_request_duration_seconds_bucket{route=\"" +
                         EscapeLabelValue(SlotLabel(slot)) + "\",le=\"";
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kBuckets; ++b) {
      cumulative += counts[b];
      out += prefix;
      if (b < kBucketBounds.size()) {
        AppendNumber(out, kBucketBounds[b]);
      } else {
        out += "+Inf";
      }
      out += "\"} ";
      AppendNumber(out, cumulative);
      out += '\n';
    }
    std::string labels = "{route=\"" + EscapeLabelValue(SlotLabel(slot)) + "\"} ";
    out.append("latchkey_http_request_duration_seconds_sum").append(labels);
    AppendNumber(out, static_cast<double>(sum) / 1e9);
    out.append("\nlatchkey_http_request_duration_seconds_count").append(labels);
    AppendNumber(out, total);
    out += '\n';
  }
}

void Registry::RenderLogins(std::string& out) const {
  Header(out, "latchkey_logins_total", "counter",
         "Login attempts by outcome: ok (200), failed (401), throttled (429), refused (403).");
  static constexpr std::pair<std::string_view, int> kOutcomes[] = {
      {"ok", 200}, {"failed", 401}, {"throttled", 429}, {"refused", 403}};
  constexpr std::size_t kPost = 2;  // kMethodNames[2]
  for (const auto& [outcome, status] : kOutcomes) {
    std::uint64_t n =
        login_route_ < 0 ? 0 : RequestCount(static_cast<std::size_t>(login_route_), kPost, status);
    out.append("latchkey_logins_total{outcome=\"").append(outcome).append("\"} ");
    AppendNumber(out, n);
    out += '\n';
  }
}

std::string Registry::Render() const {
  std::string out;
  out.reserve(16 * 1024);
  RenderRequests(out);
  RenderDurations(out);
  RenderLogins(out);
  auto pool = [&out](std::string_view name, const PoolLoad& load) {
    std::string queued = "latchkey_" + std::string(name) + "_pool_queued_jobs";
    Header(out, queued, "gauge",
           "Jobs waiting for a thread of the " + std::string(name) + " pool.");
    out.append(queued).append(" ");
    AppendNumber(out, static_cast<double>(load.queued.load(std::memory_order_relaxed)));
    std::string busy = "latchkey_" + std::string(name) + "_pool_busy_threads";
    out += '\n';
    Header(out, busy, "gauge", "Threads of the " + std::string(name) + " pool running a job.");
    out.append(busy).append(" ");
    AppendNumber(out, static_cast<double>(load.busy.load(std::memory_order_relaxed)));
    out += '\n';
  };
  pool("store", store_pool_);
  pool("hashing", hashing_pool_);
  for (const Gauge& g : gauges_) {
    Header(out, g.name, g.type, g.help);
    out.append(g.name).append(" ");
    AppendNumber(out, g.read());
    out += '\n';
  }
  for (const auto& render : renderers_) render(out);
  return out;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace latchkey::metrics
