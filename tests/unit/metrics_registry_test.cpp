#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace latchkey::metrics {
namespace {

constexpr std::size_t kGet = 0;
constexpr std::size_t kPost = 2;

bool Contains(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MetricsRegistry, ObserveRequest_CountsByRouteMethodStatus) {
  Registry r({"/api/auth", "/api/auth/login"}, 1);
  r.ObserveRequest(0, kGet, 200, 30'000);
  r.ObserveRequest(0, kGet, 200, 30'000);
  r.ObserveRequest(0, kGet, 401, 30'000);
  EXPECT_EQ(r.RequestCount(0, kGet, 200), 2u);
  EXPECT_EQ(r.RequestCount(0, kGet, 401), 1u);
  EXPECT_EQ(r.RequestCount(0, kPost, 200), 0u);
  std::string text = r.Render();
  EXPECT_TRUE(Contains(
      text, R"(latchkey_http_requests_total{route="/api/auth",method="GET",status="200"} 2)"))
      << text;
  EXPECT_TRUE(Contains(
      text, R"(latchkey_http_requests_total{route="/api/auth",method="GET",status="401"} 1)"));
  // Label sets never seen are not listed.
  EXPECT_EQ(text.find(R"(method="POST",status="200")"), std::string::npos);
}

TEST(MetricsRegistry, UnknownStatusAndSlot_CountedAsOther) {
  Registry r({"/healthz"}, -1);
  r.ObserveRequest(0, kGet, 418, 1000);
  r.ObserveRequest(99, 99, 200, 1000);  // out of range: "other" route, "OTHER" method
  std::string text = r.Render();
  EXPECT_TRUE(Contains(
      text, R"(latchkey_http_requests_total{route="/healthz",method="GET",status="other"} 1)"))
      << text;
  EXPECT_TRUE(Contains(
      text, R"(latchkey_http_requests_total{route="other",method="OTHER",status="200"} 1)"));
}

TEST(MetricsRegistry, Histogram_CumulativeBucketsSumAndCount) {
  Registry r({"/api/auth"}, -1);
  r.ObserveRequest(0, kGet, 200, 50'000);          // 50 us  -> le 0.0001
  r.ObserveRequest(0, kGet, 200, 100'000);         // 100 us -> le 0.0001 (bounds inclusive)
  r.ObserveRequest(0, kGet, 200, 3'000'000);       // 3 ms   -> le 0.005
  r.ObserveRequest(0, kGet, 200, 20'000'000'000);  // 20 s  -> +Inf only
  std::string text = r.Render();
  const std::string b = R"(latchkey_http_request_duration_seconds_bucket{route="/api/auth",le=")";
  EXPECT_TRUE(Contains(text, b + R"(0.0001"} 2)")) << text;
  EXPECT_TRUE(Contains(text, b + R"(0.0025"} 2)"));
  EXPECT_TRUE(Contains(text, b + R"(0.005"} 3)"));
  EXPECT_TRUE(Contains(text, b + R"(10"} 3)"));
  EXPECT_TRUE(Contains(text, b + R"(+Inf"} 4)"));
  EXPECT_TRUE(
      Contains(text, R"(latchkey_http_request_duration_seconds_count{route="/api/auth"} 4)"));
  EXPECT_TRUE(
      Contains(text, R"(latchkey_http_request_duration_seconds_sum{route="/api/auth"} 20.00315)"))
      << text;
  EXPECT_NE(text.find("# TYPE latchkey_http_request_duration_seconds histogram\n"),
            std::string::npos);
}

// GET and HEAD of one path are two routes of one pattern: one histogram series, both counted;
// the counter keeps them apart by method.
TEST(MetricsRegistry, Histogram_TwoRoutesOfOnePattern_OneSeries) {
  constexpr std::size_t kHead = 1;
  Registry r({"/.well-known/jwks.json", "/.well-known/jwks.json"}, -1);
  r.ObserveRequest(0, kGet, 200, 50'000);
  r.ObserveRequest(1, kHead, 200, 50'000);
  std::string text = r.Render();
  const std::string count =
      R"(latchkey_http_request_duration_seconds_count{route="/.well-known/jwks.json"})";
  EXPECT_TRUE(Contains(text, count + " 2")) << text;
  EXPECT_EQ(text.find(count), text.rfind(count)) << "one series, not two:\n" << text;
  EXPECT_TRUE(Contains(
      text,
      R"(latchkey_http_requests_total{route="/.well-known/jwks.json",method="HEAD",status="200"} 1)"));
}

TEST(MetricsRegistry, Logins_CountedByLoginRouteStatus) {
  Registry r({"/api/auth", "/api/auth/login"}, 1);
  r.ObserveRequest(1, kPost, 200, 1);
  r.ObserveRequest(1, kPost, 401, 1);
  r.ObserveRequest(1, kPost, 401, 1);
  r.ObserveRequest(1, kPost, 429, 1);
  r.ObserveRequest(0, kGet, 401, 1);  // not a login
  std::string text = r.Render();
  EXPECT_TRUE(Contains(text, R"(latchkey_logins_total{outcome="ok"} 1)")) << text;
  EXPECT_TRUE(Contains(text, R"(latchkey_logins_total{outcome="failed"} 2)"));
  EXPECT_TRUE(Contains(text, R"(latchkey_logins_total{outcome="throttled"} 1)"));
  EXPECT_TRUE(Contains(text, R"(latchkey_logins_total{outcome="refused"} 0)"));
}

TEST(MetricsRegistry, ManyThreads_EveryObservationCounted) {
  Registry r({"/api/auth"}, -1);
  constexpr int kThreads = 4;
  constexpr int kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&r] {
      for (int i = 0; i < kEach; ++i) r.ObserveRequest(0, kGet, 200, 1000);
    });
  }
  for (int i = 0; i < 50; ++i) (void)r.Render();  // scrapes while counting
  for (auto& t : threads) t.join();
  EXPECT_EQ(r.RequestCount(0, kGet, 200), static_cast<std::uint64_t>(kThreads * kEach));
}

TEST(MetricsRegistry, GaugesAndPools_ReadAtScrapeTime) {
  Registry r({}, -1);
  double value = 1;
  r.AddGauge("latchkey_test_value", "A test value.", [&value] { return value; });
  r.hashing_pool().queued.store(3);
  r.store_pool().busy.store(2);
  value = 42.5;
  std::string text = r.Render();
  EXPECT_TRUE(Contains(text, "# TYPE latchkey_test_value gauge")) << text;
  EXPECT_TRUE(Contains(text, "latchkey_test_value 42.5"));
  EXPECT_TRUE(Contains(text, "latchkey_hashing_pool_queued_jobs 3"));
  EXPECT_TRUE(Contains(text, "latchkey_store_pool_busy_threads 2"));
}

// The per-request cost budget (docs/PERFORMANCE.md: a session check takes ~30 us): an
// observation must stay far below 1 us. The bound is loose (sanitizer builds run this too);
// the figure is printed.
TEST(MetricsRegistry, ObserveRequest_CostsWellUnderAMicrosecond) {
  Registry r({"/api/auth", "/api/auth/login"}, 1);
  constexpr int kRounds = 1'000'000;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRounds; ++i) {
    r.ObserveRequest(static_cast<std::size_t>(i & 1), kGet, 200, static_cast<std::uint64_t>(i));
  }
  double ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() /
      kRounds;
  std::printf("ObserveRequest: %.1f ns per request\n", ns);
  EXPECT_LT(ns, 1000.0);
  EXPECT_EQ(r.RequestCount(0, kGet, 200) + r.RequestCount(1, kGet, 200),
            static_cast<std::uint64_t>(kRounds));
}

TEST(MetricsRegistry, EscapeLabelValue_EscapesBackslashQuoteNewline) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeLabelValue("/api/auth/sessions/{id}"), "/api/auth/sessions/{id}");
}

}  // namespace
}  // namespace latchkey::metrics
