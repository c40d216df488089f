#include "http/router.h"

#include <gtest/gtest.h>

namespace latchkey::http {
namespace {

Request Make(Method m, std::string path) {
  Request r;
  r.method = m;
  r.path = std::move(path);
  return r;
}

Handler Ok(int status) {
  return [status](const Request&) {
    Response r;
    r.status = status;
    return r;
  };
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add({Method::kGet, "/api/items", Pool::kStore, Ok(200)});
    router_.Add({Method::kPost, "/api/items/special", Pool::kHashing, Ok(201)});
    router_.Add({Method::kDelete, "/api/items/{id}", Pool::kStore, Ok(204)});
    router_.SetCsrfGuard([this](const Request& r) -> std::optional<Response> {
      ++guard_calls_;
      if (r.csrf_token == "good") return std::nullopt;
      Response denied;
      denied.status = 403;
      return denied;
    });
    router_.SetFallback(Ok(299));
  }
  Router router_;
  int guard_calls_ = 0;
};

TEST_F(RouterTest, Resolve_ExactAndParamRoutes_PickHandlerPoolAndParams) {
  auto d = router_.Resolve(Make(Method::kGet, "/api/items"));
  ASSERT_NE(d.handler, nullptr);
  EXPECT_EQ(d.pool, Pool::kStore);
  Request del = Make(Method::kDelete, "/api/items/abc_DEF-1");
  del.csrf_token = "good";
  d = router_.Resolve(del);
  ASSERT_NE(d.handler, nullptr);
  ASSERT_EQ(d.params.size(), 1u);
  EXPECT_EQ(d.params[0], "abc_DEF-1");
  EXPECT_EQ((*d.handler)(del).status, 204);
}

TEST_F(RouterTest, Resolve_RouteWithFastHandler_OffersItBeforeThePool) {
  router_.Add({Method::kGet, "/api/fast", Pool::kStore, Ok(200),
               [](const Request& r) -> std::optional<Response> {
                 if (r.cookie.empty()) return std::nullopt;
                 Response hit;
                 hit.status = 203;
                 return hit;
               }});
  auto d = router_.Resolve(Make(Method::kGet, "/api/fast"));
  ASSERT_NE(d.fast, nullptr);
  ASSERT_NE(d.handler, nullptr);
  EXPECT_EQ(d.pool, Pool::kStore);
  EXPECT_FALSE((*d.fast)(Make(Method::kGet, "/api/fast")));
  Request with_cookie = Make(Method::kGet, "/api/fast");
  with_cookie.cookie = "a=b";
  EXPECT_EQ((*d.fast)(with_cookie)->status, 203);
  EXPECT_EQ(router_.Resolve(Make(Method::kGet, "/api/items")).fast, nullptr);
}

TEST_F(RouterTest, Resolve_StateChangingApi_GuardedBeforeRouting) {
  for (auto [m, path] :
       {std::pair{Method::kPost, "/api/items/special"}, std::pair{Method::kPut, "/api/items"},
        std::pair{Method::kPost, "/api/nowhere"}, std::pair{Method::kDelete, "/api"}}) {
    auto d = router_.Resolve(Make(m, path));
    ASSERT_TRUE(d.immediate) << path;
    EXPECT_EQ(d.immediate->status, 403) << path;
  }
  EXPECT_EQ(guard_calls_, 4);
  auto d = router_.Resolve(Make(Method::kGet, "/api/items"));
  EXPECT_EQ(guard_calls_, 4) << "safe methods are not guarded";
  d = router_.Resolve(Make(Method::kPost, "/not-api"));
  EXPECT_EQ(guard_calls_, 4) << "only /api is guarded";
}

TEST_F(RouterTest, Resolve_WrongMethod_405WithAllow) {
  Request r = Make(Method::kPut, "/api/items");
  r.csrf_token = "good";
  auto d = router_.Resolve(r);
  ASSERT_TRUE(d.immediate);
  EXPECT_EQ(d.immediate->status, 405);
  ASSERT_FALSE(d.immediate->headers.empty());
  EXPECT_EQ(d.immediate->headers[0].second, "GET");
}

TEST_F(RouterTest, Resolve_Unmatched_GoesToFallback) {
  auto d = router_.Resolve(Make(Method::kGet, "/account/deep"));
  ASSERT_NE(d.handler, nullptr);
  EXPECT_EQ((*d.handler)(Request{}).status, 299);
  d = router_.Resolve(Make(Method::kGet, "/api/items/x/y"));
  EXPECT_EQ((*d.handler)(Request{}).status, 299) << "{id} matches one segment only";
}

TEST(RouterMatchPath_Table, SegmentsAndParams) {
  std::vector<std::string> p;
  EXPECT_TRUE(Router::MatchPath("/a/b", "/a/b", p));
  EXPECT_FALSE(Router::MatchPath("/a/b", "/a/b/", p));
  EXPECT_FALSE(Router::MatchPath("/a/{id}", "/a/", p));
  EXPECT_FALSE(Router::MatchPath("/a/{id}", "/a", p));
  EXPECT_TRUE(p.empty()) << "no params left behind by failed matches";
  EXPECT_TRUE(Router::MatchPath("/a/{id}", "/a/x", p));
  EXPECT_EQ(p, std::vector<std::string>{"x"});
}

TEST(ApplyCommonHeaders_Responses, NoStoreOnApiAndJson) {
  auto has = [](const Response& r, const char* name, const char* value) {
    for (const auto& [n, v] : r.headers) {
      if (n == name && v == value) return true;
    }
    return false;
  };
  Response api;
  Router::ApplyCommonHeaders(Make(Method::kGet, "/api/auth"), api);
  EXPECT_TRUE(has(api, "Cache-Control", "no-store"));
  EXPECT_TRUE(has(api, "X-Content-Type-Options", "nosniff"));
  Response json;
  json.content_type = "application/json";
  Router::ApplyCommonHeaders(Make(Method::kGet, "/healthz"), json);
  EXPECT_TRUE(has(json, "Cache-Control", "no-store"));
  Response asset;
  asset.content_type = "text/css";
  asset.AddHeader("Cache-Control", "no-cache");
  Router::ApplyCommonHeaders(Make(Method::kGet, "/assets/app.css"), asset);
  EXPECT_FALSE(has(asset, "Cache-Control", "no-store"));
}

TEST_F(RouterTest, Resolve_OriginGuard_RunsBeforeCsrfGuardOnStateChangingApiOnly) {
  int origin_calls = 0;
  router_.SetOriginGuard([&origin_calls](const Request& r) -> std::optional<Response> {
    ++origin_calls;
    if (r.origin.value_or("ok") == "ok") return std::nullopt;
    Response denied;
    denied.status = 403;
    denied.body = "origin";
    return denied;
  });
  Request cross = Make(Method::kPost, "/api/items/special");
  cross.csrf_token = "good";
  cross.origin = "http://evil.example";
  auto d = router_.Resolve(cross);
  ASSERT_TRUE(d.immediate);
  EXPECT_EQ(d.immediate->body, "origin");
  EXPECT_EQ(guard_calls_, 0) << "a refused origin never reaches the CSRF guard";

  Request same = Make(Method::kPost, "/api/items/special");
  same.csrf_token = "good";
  d = router_.Resolve(same);
  EXPECT_FALSE(d.immediate);
  EXPECT_EQ(guard_calls_, 1) << "an accepted origin still needs the CSRF token";

  Request get = Make(Method::kGet, "/api/items");
  get.origin = "http://evil.example";
  d = router_.Resolve(get);
  EXPECT_FALSE(d.immediate) << "safe methods are not origin-checked";
  Request page = Make(Method::kPost, "/not-api");
  page.origin = "http://evil.example";
  router_.Resolve(page);
  EXPECT_EQ(origin_calls, 2);
}

}  // namespace
}  // namespace latchkey::http
