// The request pipeline (api/pipeline.h) of the real composition root: the order of its steps,
// and the session resolved once, on the I/O thread when the cache can answer.
#include "api/pipeline.h"

#include <gtest/gtest.h>

#include "flows_fixture.h"

namespace latchkey::api {
namespace {

class PipelineTest : public flows::FlowsTest {
 protected:
  http::Response Finish(http::Dispatch& d) {
    if (d.response) return std::move(*d.response);
    EXPECT_TRUE(d.work) << "neither an answer nor work";
    return d.work();
  }
  std::string SignupCookie(const std::string& username) {
    auto made = auth_.Signup({username, "correct horse battery", "", true}, client_);
    EXPECT_TRUE(made);
    return made ? "latchkey_session=" + std::string(made->cookie_value.Reveal()) : std::string();
  }
  Pipeline& pipeline_ = node_.pipeline;
};

TEST_F(PipelineTest, OriginThenCsrf_BeforeRouting_OnStateChangingApiRequestsOnly) {
  http::Request cross = Guarded(http::Method::kPost, "/api/auth/logout");
  cross.origin = "http://evil.example";
  auto d = pipeline_.Begin(cross);
  ASSERT_TRUE(d.response);
  EXPECT_EQ(d.response->status, 403);
  EXPECT_NE(d.response->body.find("Cross-origin"), std::string::npos) << "origin first";

  for (const char* path : {"/api/auth/logout", "/api/nowhere", "/api"}) {
    http::Request no_token = Make(http::Method::kPost, path);
    d = pipeline_.Begin(no_token);
    ASSERT_TRUE(d.response) << path;
    EXPECT_EQ(d.response->status, 403) << path << ": unknown API paths are guarded too";
    EXPECT_NE(d.response->body.find("CSRF"), std::string::npos) << path;
  }
  http::Request get = Make(http::Method::kGet, "/api/nowhere");
  get.origin = "http://evil.example";
  d = pipeline_.Begin(get);
  ASSERT_TRUE(d.response);
  EXPECT_EQ(d.response->status, 404) << "safe methods are not guarded";
  http::Request page = Make(http::Method::kPost, "/account");
  d = pipeline_.Begin(page);
  ASSERT_TRUE(d.response);
  EXPECT_EQ(d.response->status, 405) << "only /api is guarded; the page refuses POST itself";
}

TEST_F(PipelineTest, Routing_405WithAllow_ParamsFilled_FallbackForPages) {
  http::Request put = Guarded(http::Method::kPut, "/api/auth/sessions/abc");
  auto d = pipeline_.Begin(put);
  ASSERT_TRUE(d.response);
  EXPECT_EQ(d.response->status, 405);
  http::Request del = Guarded(http::Method::kDelete, "/api/auth/sessions/abc");
  del.cookie += "; " + SignupCookie("alice");
  d = pipeline_.Begin(del);
  ASSERT_GE(d.route, 0);
  EXPECT_EQ(del.path_params, std::vector<std::string>{"abc"});
  EXPECT_EQ(Finish(d).status, 404) << "no such session of alice's";
  http::Request deep = Make(http::Method::kGet, "/account/sessions");
  d = pipeline_.Begin(deep);
  ASSERT_TRUE(d.response);
  EXPECT_EQ(d.response->status, 200);
  EXPECT_EQ(d.route, -1);
}

TEST_F(PipelineTest, SessionRequired_NoCookieOrBadSignature_401WithoutAPoolHop) {
  for (const char* cookie : {"", "latchkey_session=forged.value", "other=1"}) {
    http::Request me = Make(http::Method::kGet, "/api/auth");
    me.cookie = cookie;
    auto d = pipeline_.Begin(me);
    ASSERT_TRUE(d.response) << cookie;
    EXPECT_EQ(d.response->status, 401) << cookie;
    EXPECT_FALSE(d.work) << cookie;
  }
  http::Request events = Make(http::Method::kGet, "/api/auth/events");
  auto d = pipeline_.Begin(events);
  ASSERT_TRUE(d.response) << "a store route without a cookie needs no store either";
  EXPECT_EQ(d.response->status, 401);
}

TEST_F(PipelineTest, SessionCheck_MissReadsOnTheStorePool_HitAnswersInline) {
  std::string cookie = SignupCookie("alice");
  http::Request me = Make(http::Method::kGet, "/api/auth");
  me.cookie = cookie;
  auto miss = pipeline_.Begin(me);
  ASSERT_FALSE(miss.response) << "not cached yet";
  EXPECT_EQ(miss.pool, http::Pool::kStore) << "an inline route whose session needs the store";
  http::Response first = Finish(miss);
  EXPECT_EQ(first.status, 200);
  EXPECT_NE(first.body.find("\"alice\""), std::string::npos);

  auto hit = pipeline_.Begin(me);
  ASSERT_TRUE(hit.response) << "cached: answered on the I/O thread";
  EXPECT_EQ(hit.response->status, 200);
  EXPECT_EQ(hit.response->body, first.body);

  http::Request logout = Guarded(http::Method::kPost, "/api/auth/logout");
  logout.cookie += "; " + cookie;
  auto out = pipeline_.Begin(logout);
  EXPECT_EQ(out.pool, http::Pool::kStore);
  EXPECT_EQ(Finish(out).status, 200);
  auto after = pipeline_.Begin(me);
  ASSERT_FALSE(after.response) << "a logout is never served from memory";
  EXPECT_EQ(Finish(after).status, 401);
}

TEST_F(PipelineTest, HashingRoute_ResolvesTheSessionOnItsOwnPool) {
  std::string cookie = SignupCookie("alice");
  http::Request change = Guarded(http::Method::kPost, "/api/auth/password");
  change.cookie += "; " + cookie;
  change.content_type = "application/json";
  change.body = R"({"current_password":"wrong","new_password":"a brand new passphrase"})";
  auto d = pipeline_.Begin(change);
  ASSERT_FALSE(d.response);
  EXPECT_EQ(d.pool, http::Pool::kHashing) << "one hop: the store read runs there too";
  http::Response r = Finish(d);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("current_password"), std::string::npos);
}

TEST_F(PipelineTest, HashingRoute_SessionEndedWhileQueued_IsRefusedWhenTheWorkStarts) {
  std::string cookie = SignupCookie("alice");
  http::Request me = Make(http::Method::kGet, "/api/auth");
  me.cookie = cookie;
  auto check = pipeline_.Begin(me);
  ASSERT_EQ(Finish(check).status, 200);  // cached now
  http::Request change = Guarded(http::Method::kPost, "/api/auth/password");
  change.cookie += "; " + cookie;
  change.content_type = "application/json";
  change.body = R"({"current_password":"correct horse battery",)"
                R"("new_password":"a brand new passphrase"})";
  auto queued = pipeline_.Begin(change);
  ASSERT_FALSE(queued.response);
  // While the change waits behind other hashes, the session is logged out.
  http::Request logout = Guarded(http::Method::kPost, "/api/auth/logout");
  logout.cookie += "; " + cookie;
  auto out = pipeline_.Begin(logout);
  ASSERT_EQ(Finish(out).status, 200);
  http::Response r = Finish(queued);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("session_ended"), std::string::npos) << r.body;
  EXPECT_TRUE(auth_.Login({"alice", "correct horse battery"}, nullptr, client_))
      << "the password did not change";
}

TEST_F(PipelineTest, ExpectedUser_AnotherUsersSession_409AndNothingChanged) {
  std::string cookie = SignupCookie("alice");
  std::string bob_cookie = SignupCookie("bob");
  auto rename = [&](const std::string& session, const std::string& expect) {
    http::Request r = Guarded(http::Method::kPatch, "/api/auth/user");
    r.cookie += "; " + session;
    r.content_type = "application/json";
    r.body = R"({"name":"Renamed"})";
    r.expect_user = expect;
    auto d = pipeline_.Begin(r);
    return Finish(d);
  };
  // alice is user 1, bob user 2 (a fresh store).
  http::Response stale = rename(bob_cookie, "1");
  EXPECT_EQ(stale.status, 409);
  EXPECT_NE(stale.body.find("user_mismatch"), std::string::npos) << stale.body;
  EXPECT_EQ(rename(bob_cookie, "2x").status, 400);
  EXPECT_EQ(rename(bob_cookie, "2").status, 200);
  EXPECT_EQ(rename(cookie, "").status, 200) << "no header: no check";
  // Reads are refused too (their answers mostly do not name the user); without the header,
  // GET /api/auth says who is signed in.
  auto read = [&](const std::string& expect) {
    http::Request r = Make(http::Method::kGet, "/api/auth/sessions");
    r.cookie = bob_cookie;
    r.expect_user = expect;
    auto d = pipeline_.Begin(r);
    return Finish(d).status;
  };
  EXPECT_EQ(read("1"), 409) << "bob's sessions never reach a page showing alice";
  EXPECT_EQ(read("2"), 200);
  EXPECT_EQ(read(""), 200);
}

TEST_F(PipelineTest, SessionEnded_401DeletesTheCookie_NoCookieSetsNothing) {
  std::string cookie = SignupCookie("alice");
  http::Request logout = Guarded(http::Method::kPost, "/api/auth/logout");
  logout.cookie += "; " + cookie;
  auto out = pipeline_.Begin(logout);
  ASSERT_EQ(Finish(out).status, 200);
  http::Request me = Make(http::Method::kGet, "/api/auth");
  me.cookie = cookie;
  auto d = pipeline_.Begin(me);
  http::Response ended = Finish(d);
  EXPECT_EQ(ended.status, 401);
  bool deleted = false;
  for (const auto& [name, value] : ended.headers) {
    deleted |= name == "Set-Cookie" && value.starts_with("latchkey_session=;") &&
               value.find("Max-Age=0") != std::string::npos;
  }
  EXPECT_TRUE(deleted) << ended.body;
  http::Request none = Make(http::Method::kGet, "/api/auth");
  d = pipeline_.Begin(none);
  http::Response plain = Finish(d);
  EXPECT_EQ(plain.status, 401);
  for (const auto& [name, value] : plain.headers) EXPECT_NE(name, "Set-Cookie") << value;
}

TEST_F(PipelineTest, Head_AnsweredByTheGetRoute) {
  http::Request me = Make(http::Method::kHead, "/api/auth");
  me.cookie = SignupCookie("alice");
  auto d = pipeline_.Begin(me);
  EXPECT_GE(d.route, 0);
  EXPECT_EQ(Finish(d).status, 200) << "the transport drops the body of a HEAD answer";
}

}  // namespace
}  // namespace latchkey::api
