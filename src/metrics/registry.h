// The server's Prometheus metrics: what the connection loop counts on every request, what the
// worker pools report, and gauges read at scrape time; rendered in the Prometheus text
// exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// Cost on the hot path (ObserveRequest, once per request): no lock, no allocation, no
// formatting. Each thread that observes gets a shard of its own (allocated once, on its first
// observation, under a mutex); only that thread writes it, with relaxed loads and stores (no
// read-modify-write, no cache line shared with another writer). Render() sums the shards.
// Histograms have fixed buckets (kBucketBounds). Why not prometheus-cpp: its Histogram::Observe
// takes a mutex and its Counter is a CAS loop on one shared atomic<double>; both contend
// between I/O threads on every request.
//
// Labels are bounded: a route is the router's pattern ("/api/auth/sessions/{id}"), never the
// raw path; requests no route matched are "other" (API), "assets" (/assets/...) or "page".
// Statuses outside kStatuses are counted under status="other".
//
// Thread-safety: ObserveRequest and the pool counters from any thread; AddGauge before the
// server starts; Render from any thread (it reads the shards while they are written: each
// value is a consistent 64-bit read, the set of them a near-instant snapshot).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace latchkey::metrics {

// Upper bounds of the request-duration histogram buckets, in seconds (plus +Inf): from 100 us
// (a cached session check takes ~30 us) to 10 s (the write timeout).
inline constexpr std::array<double, 16> kBucketBounds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};

// The statuses counted by their own label; the rest fall under "other".
inline constexpr std::array<int, 22> kStatuses = {200, 201, 204, 301, 302, 304, 308, 400,
                                                  401, 403, 404, 405, 409, 413, 415, 422,
                                                  429, 431, 500, 502, 503, 504};

// Method labels, indexed like http::Method (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS,
// OTHER).
inline constexpr std::array<std::string_view, 8> kMethodNames = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"};

// A worker pool's load: jobs waiting for a thread, and threads running one.
struct PoolLoad {
  std::atomic<std::int64_t> queued{0};
  std::atomic<std::int64_t> busy{0};
};

class Registry {
 public:
  // `routes`: the router's patterns in route order (Router::routes()[i].path); route slot i
  // is routes[i]; slots routes.size() + 0/1/2 are "other", "page" and "assets".
  // `login_route`: the slot of POST /api/auth/login (or -1): latchkey_logins_total counts its
  // answers by status (200 ok, 401 failed, 429 throttled, 403 refused).
  Registry(std::vector<std::string> routes, int login_route);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  std::size_t OtherSlot() const { return routes_.size(); }
  std::size_t PageSlot() const { return routes_.size() + 1; }
  std::size_t AssetsSlot() const { return routes_.size() + 2; }

  // One answered request. slot: a route slot (above); method: index into kMethodNames;
  // status: the HTTP status sent; nanos: from the request's header block read to the end of
  // the response write. Out-of-range slot or method: counted as "other"/"OTHER".
  void ObserveRequest(std::size_t slot, std::size_t method, int status, std::uint64_t nanos);

  PoolLoad& store_pool() { return store_pool_; }
  PoolLoad& hashing_pool() { return hashing_pool_; }

  // A value read at scrape time (on the thread that renders). `name` must be a valid metric
  // name; `type` is "gauge" or "counter" (for totals kept elsewhere, e.g. connections shed).
  void AddGauge(std::string name, std::string help, std::function<double()> read,
                std::string type = "gauge");

  // Appends metrics kept elsewhere (with labels of their own, e.g. the reverse proxy's per
  // upstream) at scrape time, in the text format; before the server starts.
  void AddRenderer(std::function<void(std::string&)> render);

  // Every metric in the text format, version 0.0.4 (Content-Type
  // "text/plain; version=0.0.4; charset=utf-8").
  std::string Render() const;

  // The count of requests observed for (slot, method, status), summed over shards (tests).
  std::uint64_t RequestCount(std::size_t slot, std::size_t method, int status) const;

 private:
  struct Shard;
  struct Gauge {
    std::string name;
    std::string help;
    std::string type;
    std::function<double()> read;
  };

  Shard& LocalShard();
  std::size_t Slots() const { return routes_.size() + 3; }
  std::string_view SlotLabel(std::size_t slot) const;
  std::uint64_t Sum(std::size_t index, bool histogram) const;
  void RenderRequests(std::string& out) const;
  void RenderDurations(std::string& out) const;
  void RenderLogins(std::string& out) const;

  const std::vector<std::string> routes_;
  const int login_route_;
  const std::uint64_t id_;  // tells this registry's thread-local shards from another's
  mutable std::mutex mu_;   // guards shards_ (the vector, not the counters)
  std::vector<std::unique_ptr<Shard>> shards_;
  PoolLoad store_pool_;
  PoolLoad hashing_pool_;
  std::vector<Gauge> gauges_;
  std::vector<std::function<void(std::string&)>> renderers_;
};

// The text format's label-value escaping: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);

}  // namespace latchkey::metrics
