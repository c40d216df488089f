// http/proxy/header_policy.h: what the reverse proxy passes, drops and states (issue 17).
#include "http/proxy/header_policy.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace latchkey::http::proxy {
namespace {

std::vector<std::string> ValuesOf(const HeaderList& list, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [n, v] : list) {
    std::string a = n, b = name;
    std::transform(a.begin(), a.end(), a.begin(), ::tolower);
    std::transform(b.begin(), b.end(), b.begin(), ::tolower);
    if (a == b) out.push_back(v);
  }
  return out;
}

RequestRewrite Rewrite() {
  RequestRewrite r;
  r.drop_cookies = {"latchkey_session", "latchkey_csrf"};
  r.identity = {{"X-Latchkey-User-Id", "7"}, {"X-Latchkey-Username", "ann"}};
  r.upstream_authority = "127.0.0.1:3000";
  return r;
}

TEST(UpstreamRequestHeaders, ForgedIdentity_ReplacedByLatchkeys) {
  HeaderList in = {{"x-latchkey-user-id", "1"},
                   {"X-LATCHKEY-Assertion", "forged"},
                   {"X-Latchkey-Username", "root"},
                   {"Accept", "application/json"}};
  HeaderList out = UpstreamRequestHeaders(in, {"203.0.113.5", false, false}, Rewrite());
  EXPECT_EQ(ValuesOf(out, "X-Latchkey-User-Id"), std::vector<std::string>{"7"});
  EXPECT_EQ(ValuesOf(out, "X-Latchkey-Username"), std::vector<std::string>{"ann"});
  EXPECT_TRUE(ValuesOf(out, "X-Latchkey-Assertion").empty());
  EXPECT_EQ(ValuesOf(out, "Accept"), std::vector<std::string>{"application/json"});
}

TEST(UpstreamRequestHeaders, HopByHop_DroppedWithWhatConnectionNames) {
  HeaderList in = {{"Connection", "keep-alive, X-Secret"},
                   {"X-Secret", "s"},
                   {"Keep-Alive", "timeout=5"},
                   {"TE", "trailers"},
                   {"Upgrade", "websocket"},
                   {"Proxy-Connection", "keep-alive"},
                   {"Transfer-Encoding", "chunked"},
                   {"Content-Length", "5"},
                   {"Trailer", "X"},
                   {"Expect", "100-continue"},
                   {"Proxy-Authorization", "Basic x"},
                   {"X-Kept", "k"}};
  HeaderList out = UpstreamRequestHeaders(in, {"127.0.0.1", false, false}, Rewrite());
  for (const char* gone :
       {"Connection", "X-Secret", "Keep-Alive", "TE", "Upgrade", "Proxy-Connection",
        "Transfer-Encoding", "Content-Length", "Trailer", "Expect", "Proxy-Authorization"}) {
    EXPECT_TRUE(ValuesOf(out, gone).empty()) << gone;
  }
  EXPECT_EQ(ValuesOf(out, "X-Kept"), std::vector<std::string>{"k"});
}

TEST(UpstreamRequestHeaders, Cookies_LatchkeysDroppedAppsKept) {
  HeaderList in = {{"Cookie", "latchkey_session=tok; theme=dark"},
                   {"Cookie", "latchkey_csrf=b; cart=3"},
                   {"X-CSRF-Token", "t"}};
  HeaderList out = UpstreamRequestHeaders(in, {"127.0.0.1", false, false}, Rewrite());
  EXPECT_EQ(ValuesOf(out, "Cookie"), std::vector<std::string>{"theme=dark; cart=3"});
  EXPECT_TRUE(ValuesOf(out, "X-CSRF-Token").empty());
  HeaderList only = UpstreamRequestHeaders({{"Cookie", "latchkey_session=tok"}},
                                           {"127.0.0.1", false, false}, Rewrite());
  EXPECT_TRUE(ValuesOf(only, "Cookie").empty());
}

TEST(UpstreamRequestHeaders, Forwarded_UntrustedReplacedTrustedAppended) {
  HeaderList in = {{"Host", "app.example"},
                   {"X-Forwarded-For", "10.9.9.9"},
                   {"X-Forwarded-Proto", "https"},
                   {"X-Forwarded-Host", "evil.example"},
                   {"Forwarded", "for=1.2.3.4"}};
  HeaderList untrusted = UpstreamRequestHeaders(in, {"203.0.113.5", false, false}, Rewrite());
  EXPECT_EQ(ValuesOf(untrusted, "X-Forwarded-For"), std::vector<std::string>{"203.0.113.5"});
  EXPECT_EQ(ValuesOf(untrusted, "X-Forwarded-Proto"), std::vector<std::string>{"http"});
  EXPECT_EQ(ValuesOf(untrusted, "X-Forwarded-Host"), std::vector<std::string>{"app.example"});
  EXPECT_EQ(ValuesOf(untrusted, "Host"), std::vector<std::string>{"127.0.0.1:3000"});
  EXPECT_TRUE(ValuesOf(untrusted, "Forwarded").empty());
  HeaderList trusted = UpstreamRequestHeaders(in, {"10.0.0.2", true, false}, Rewrite());
  EXPECT_EQ(ValuesOf(trusted, "X-Forwarded-For"), std::vector<std::string>{"10.9.9.9, 10.0.0.2"});
  EXPECT_EQ(ValuesOf(trusted, "X-Forwarded-Proto"), std::vector<std::string>{"https"});
  EXPECT_EQ(ValuesOf(trusted, "X-Forwarded-Host"), std::vector<std::string>{"evil.example"});
  HeaderList tls = UpstreamRequestHeaders({{"Host", "a"}}, {"1.2.3.4", false, true}, Rewrite());
  EXPECT_EQ(ValuesOf(tls, "X-Forwarded-Proto"), std::vector<std::string>{"https"});
}

TEST(ClientResponseHeaders, HopByHop_DroppedRestKept) {
  HeaderList in = {{"Connection", "close, X-Internal"},
                   {"X-Internal", "1"},
                   {"Transfer-Encoding", "chunked"},
                   {"Set-Cookie", "theme=dark"},
                   {"Content-Type", "application/json"}};
  HeaderList out = ClientResponseHeaders(in, {"latchkey_session"});
  EXPECT_EQ(out, (HeaderList{{"Set-Cookie", "theme=dark"}, {"Content-Type", "application/json"}}));
}

TEST(ClientResponseHeaders, LatchkeysCookies_NeverSetByTheUpstream) {
  HeaderList in = {{"Set-Cookie", "latchkey_session=planted; Path=/"},
                   {"set-cookie", " __Host-latchkey_csrf=x; Secure"},
                   {"Set-Cookie", "latchkey_sessionx=fine"}};
  HeaderList out =
      ClientResponseHeaders(in, {"latchkey_session", "__Host-latchkey_csrf", "latchkey_csrf"});
  EXPECT_EQ(out, (HeaderList{{"Set-Cookie", "latchkey_sessionx=fine"}}));
}

TEST(StripCookies, Table) {
  std::vector<std::string_view> drop = {"latchkey_session"};
  EXPECT_EQ(StripCookies("a=1; latchkey_session=x; b=2", drop), "a=1; b=2");
  EXPECT_EQ(StripCookies("latchkey_session=x", drop), "");
  EXPECT_EQ(StripCookies("Latchkey_session=x", drop), "Latchkey_session=x");  // names are exact
  EXPECT_EQ(StripCookies(" a=1 ;; b=2 ", drop), "a=1; b=2");
}

}  // namespace
}  // namespace latchkey::http::proxy
