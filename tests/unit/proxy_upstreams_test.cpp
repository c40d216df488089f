// http/proxy/upstreams.h: --upstream and --public-path values, the longest-prefix match on
// segment boundaries, and Latchkey's own routes winning.
#include "http/proxy/upstreams.h"

#include <gtest/gtest.h>

namespace latchkey::http::proxy {
namespace {

Upstream Up(const char* value) {
  auto up = ParseUpstream(value);
  EXPECT_TRUE(up) << value;
  return up ? *up : Upstream{};
}

TEST(ParseUpstream, Valid_GivesPrefixHostPort) {
  Upstream a = Up("/api/notes=http://127.0.0.1:3000");
  EXPECT_EQ(a.prefix, "/api/notes");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, "3000");
  EXPECT_EQ(a.authority, "127.0.0.1:3000");
  Upstream b = Up("/=http://[::1]:8081/");
  EXPECT_EQ(b.prefix, "/");
  EXPECT_EQ(b.host, "::1");
  EXPECT_EQ(Up("/x=http://app.internal:80").host, "app.internal");
}

TEST(ParseUpstream, Malformed_RefusedNamingTheFlag) {
  const char* cases[] = {
      "/api/notes",                            // no '='
      "api/notes=http://127.0.0.1:3000",       // prefix not absolute
      "/api/notes/=http://127.0.0.1:3000",     // trailing slash
      "/api//notes=http://127.0.0.1:3000",     // not normalised
      "/api/../x=http://127.0.0.1:3000",       // not normalised
      "/api/notes=https://127.0.0.1:3000",     // not http
      "/api/notes=http://127.0.0.1",           // no port
      "/api/notes=http://127.0.0.1:0",         // port 0
      "/api/notes=http://127.0.0.1:99999",     // port out of range
      "/api/notes=http://127.0.0.1:3000/x",    // a path
      "/api/notes=http://u:p@127.0.0.1:3000",  // user info
      "/api/notes=http://127.0.0.1:3000?q",    // a query
      "/api/notes=127.0.0.1:3000",             // not a URL
      "/api/notes=",                           // empty URL
  };
  for (const char* c : cases) {
    auto up = ParseUpstream(c);
    ASSERT_FALSE(up) << c;
    EXPECT_NE(up.error().message.find("--upstream"), std::string::npos) << c;
  }
}

TEST(UpstreamTable, OwnRoutes_PrefixInsideRefused) {
  for (const char* value : {"/api/auth=http://127.0.0.1:1", "/api/auth/x=http://127.0.0.1:1",
                            "/healthz=http://127.0.0.1:1", "/assets/app=http://127.0.0.1:1",
                            "/.well-known=http://127.0.0.1:1", "/readyz=http://127.0.0.1:1"}) {
    auto table = UpstreamTable::Make({Up(value)}, {});
    ASSERT_FALSE(table) << value;
    EXPECT_NE(table.error().message.find("--upstream"), std::string::npos);
  }
  EXPECT_TRUE(UpstreamTable::Make({Up("/api=http://127.0.0.1:1")}, {}));
  EXPECT_TRUE(UpstreamTable::Make({Up("/api/authx=http://127.0.0.1:1")}, {}));
  EXPECT_FALSE(UpstreamTable::Make({Up("/a=http://h:1"), Up("/a=http://h:2")}, {}));
}

TEST(UpstreamTable, Match_LongestPrefixOnSegmentsOwnRoutesWin) {
  auto table = UpstreamTable::Make(
      {Up("/=http://h:1"), Up("/api=http://h:2"), Up("/api/notes=http://h:3")}, {});
  ASSERT_TRUE(table);
  struct Case {
    const char* path;
    std::optional<std::size_t> upstream;
  } cases[] = {
      {"/", 0},
      {"/page", 0},
      {"/api", 1},
      {"/api/x", 1},
      {"/api/notes", 2},
      {"/api/notes/1", 2},
      {"/api/notesx", 1},
      {"/api/auth", std::nullopt},
      {"/api/auth/login", std::nullopt},
      {"/healthz", std::nullopt},
      {"/assets/app.js", std::nullopt},
      {"/.well-known/jwks.json", std::nullopt},
      {"/api/authority", 1},
  };
  for (const Case& c : cases) EXPECT_EQ(table->Match(c.path), c.upstream) << c.path;
}

TEST(UpstreamTable, Public_OnlyUnderTheGivenPaths) {
  auto table = UpstreamTable::Make({Up("/api/notes=http://h:1")}, {"/api/notes/public"});
  ASSERT_TRUE(table);
  EXPECT_TRUE(table->IsPublic("/api/notes/public"));
  EXPECT_TRUE(table->IsPublic("/api/notes/public/x"));
  EXPECT_FALSE(table->IsPublic("/api/notes/publicx"));
  EXPECT_FALSE(table->IsPublic("/api/notes"));
  EXPECT_FALSE(ParsePublicPath("public"));
  EXPECT_FALSE(ParsePublicPath("/a/../b"));
  EXPECT_TRUE(ParsePublicPath("/a/b"));
}

}  // namespace
}  // namespace latchkey::http::proxy
