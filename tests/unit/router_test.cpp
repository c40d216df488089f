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

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXPECT_EQ(router_.Add({Method::kGet, "/api/items"}), 0);
    EXPECT_EQ(router_.Add({Method::kPost, "/api/items/special"}), 1);
    EXPECT_EQ(router_.Add({Method::kDelete, "/api/items/{id}"}), 2);
  }
  Router router_;
};

TEST_F(RouterTest, Match_ExactAndParamRoutes_IndexAndParams) {
  auto m = router_.Match(Make(Method::kGet, "/api/items"));
  EXPECT_EQ(m.route, 0);
  EXPECT_TRUE(m.params.empty());
  m = router_.Match(Make(Method::kDelete, "/api/items/abc_DEF-1"));
  EXPECT_EQ(m.route, 2);
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0], "abc_DEF-1");
  EXPECT_FALSE(m.refusal);
}

TEST_F(RouterTest, Match_WrongMethod_405WithAllow) {
  auto m = router_.Match(Make(Method::kPut, "/api/items"));
  EXPECT_EQ(m.route, -1);
  ASSERT_TRUE(m.refusal);
  EXPECT_EQ(m.refusal->status, 405);
  ASSERT_FALSE(m.refusal->headers.empty());
  EXPECT_EQ(m.refusal->headers[0].first, "Allow");
  EXPECT_EQ(m.refusal->headers[0].second, "GET, HEAD");
  EXPECT_TRUE(m.params.empty());
  m = router_.Match(Make(Method::kGet, "/api/items/x"));
  ASSERT_TRUE(m.refusal);
  EXPECT_EQ(m.refusal->headers[0].second, "DELETE") << "HEAD only beside GET";
}

TEST_F(RouterTest, Match_HeadOnAGetRoute_ThatRoute) {
  auto m = router_.Match(Make(Method::kHead, "/api/items"));
  EXPECT_EQ(m.route, 0);
  EXPECT_FALSE(m.refusal);
  m = router_.Match(Make(Method::kHead, "/api/items/special"));
  EXPECT_EQ(m.route, -1) << "no GET there: 405";
  ASSERT_TRUE(m.refusal);
  EXPECT_EQ(m.refusal->headers[0].second, "POST, DELETE") << "{id} matches \"special\" too";
}

TEST_F(RouterTest, Match_Unmatched_NoRouteNoRefusal) {
  for (const char* path : {"/account/deep", "/api/items/x/y", "/api/item", "/"}) {
    auto m = router_.Match(Make(Method::kGet, path));
    EXPECT_EQ(m.route, -1) << path;
    EXPECT_FALSE(m.refusal) << path << ": {id} matches one segment only";
    EXPECT_TRUE(m.params.empty()) << path;
  }
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

}  // namespace
}  // namespace latchkey::http
