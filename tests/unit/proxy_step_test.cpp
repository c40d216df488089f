// api/proxy_step.h on the real composition root's parts: which requests the proxy takes, and
// its decision (guards, session, public paths, identity, the normalised target).
#include "api/proxy_step.h"

#include <gtest/gtest.h>

#include "flows_fixture.h"

namespace latchkey::api {
namespace {

class ProxyStepTest : public flows::FlowsTest {
 protected:
  ProxyStepTest() {
    auto up = http::proxy::ParseUpstream("/app=http://127.0.0.1:3000");
    EXPECT_TRUE(up);
    auto table = http::proxy::UpstreamTable::Make({*up}, {"/app/pub"});
    EXPECT_TRUE(table);
    table_ = std::move(*table);
  }
  // With a CSRF binding and its token, and the session cookie of a new user.
  http::Request Guarded(http::Method method, std::string path) {
    http::Request r = FlowsTest::Guarded(method, std::move(path));
    auto made = auth_.Signup(
        {"proxied" + std::to_string(++users_), "correct horse battery", "", true}, client_);
    EXPECT_TRUE(made);
    r.cookie += "; latchkey_session=" + std::string(made->cookie_value.Reveal());
    return r;
  }
  http::Dispatch Begin(http::Request& r) { return step_.Begin(r, 40); }

  int users_ = 0;
  http::proxy::UpstreamTable table_;
  ProxyStep step_{
      {table_, node_.origin_policy, node_.csrf, node_.cookies, node_.resolver, &node_.assertions}};
};

TEST_F(ProxyStepTest, Forwards_UpstreamPathsAndRefusedOnesOnly) {
  EXPECT_TRUE(step_.Forwards("/app"));
  EXPECT_TRUE(step_.Forwards("/app/x"));
  EXPECT_TRUE(step_.Forwards("/x/../app/y"));
  EXPECT_TRUE(step_.Forwards("/app/%2F")) << "refused here, not guessed at by the router";
  EXPECT_FALSE(step_.Forwards("/apps"));
  EXPECT_FALSE(step_.Forwards("/api/auth"));
  EXPECT_FALSE(step_.Forwards("/app/../api/auth/login")) << "normalises into Latchkey's own";
}

TEST_F(ProxyStepTest, NoSession_401OffPublicPaths_ApprovedOnThem) {
  http::Request closed = Make(http::Method::kGet, "/app/x");
  auto d = Begin(closed);
  ASSERT_TRUE(d.response);
  EXPECT_EQ(d.response->status, 401);
  EXPECT_EQ(d.route, 40);
  http::Request open = Make(http::Method::kGet, "/app//pub/./x");
  open.query = "?q=1";
  d = Begin(open);
  EXPECT_FALSE(d.response);
  ASSERT_TRUE(d.forward);
  EXPECT_TRUE(d.forward->approved);
  EXPECT_EQ(d.forward->target, "/app/pub/x?q=1");
  EXPECT_TRUE(d.forward->rewrite.identity.empty());
  http::Request escaped = Make(http::Method::kGet, "/app/pub/../x");
  d = Begin(escaped);
  ASSERT_TRUE(d.response);
  EXPECT_EQ(d.response->status, 401) << "dot segments out of the public path";
  http::Request bad = Make(http::Method::kGet, "/app/pub%2F..%2Fx");
  d = Begin(bad);
  ASSERT_TRUE(d.response);
  EXPECT_EQ(d.response->status, 400);
}

TEST_F(ProxyStepTest, StateChanging_NeedsOriginAndCsrf_UnknownMethodsToo) {
  for (http::Method m : {http::Method::kPost, http::Method::kPut, http::Method::kPatch,
                         http::Method::kDelete, http::Method::kOther}) {
    http::Request r = Guarded(m, "/app/pub/x");
    r.csrf_token.clear();
    auto d = Begin(r);
    ASSERT_TRUE(d.response) << static_cast<int>(m);
    EXPECT_EQ(d.response->status, 403) << static_cast<int>(m);
  }
  http::Request cross = Guarded(http::Method::kPost, "/app/x");
  cross.origin = "https://evil.example";
  auto d = Begin(cross);
  ASSERT_TRUE(d.response);
  EXPECT_NE(d.response->body.find("origin_rejected"), std::string::npos);
}

TEST_F(ProxyStepTest, LiveSession_ApprovedWithIdentityAndLatchkeysCookiesDropped) {
  http::Request r = Guarded(http::Method::kPost, "/app/notes");
  auto d = Begin(r);
  http::Response answer = d.response ? *d.response : (d.work ? d.work() : http::Response{});
  ASSERT_TRUE(d.forward);
  ASSERT_TRUE(d.forward->approved) << answer.status << " " << answer.body;
  const auto& identity = d.forward->rewrite.identity;
  ASSERT_EQ(identity.size(), 4u);
  EXPECT_EQ(identity[0].first, "X-Latchkey-User-Id");
  EXPECT_EQ(identity[1].second, "proxied1");
  EXPECT_EQ(identity[2].first, "X-Latchkey-Session-Id");
  EXPECT_EQ(identity[3].first, "X-Latchkey-Assertion");
  // A compact JWS (tests/api/upstream.test.mjs verifies it, aud = the prefix, with npm jose).
  EXPECT_EQ(std::count(identity[3].second.begin(), identity[3].second.end(), '.'), 2);
  const auto& drop = d.forward->rewrite.drop_cookies;
  for (const char* name :
       {"latchkey_session", "latchkey_csrf", "__Host-latchkey_session", "__Host-latchkey_csrf"}) {
    EXPECT_NE(std::find(drop.begin(), drop.end(), name), drop.end()) << name;
  }
}

}  // namespace
}  // namespace latchkey::api
