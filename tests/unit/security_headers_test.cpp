#include "http/security_headers.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "http/https_redirect.h"
#include "http/router.h"

namespace latchkey::http {
namespace {

std::vector<std::string> Values(const Response& r, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [n, v] : r.headers) {
    if (n == name) out.push_back(v);
  }
  return out;
}

Request Get(std::string path, bool tls) {
  Request r;
  r.path = std::move(path);
  r.tls = tls;
  return r;
}

TEST(SecurityHeadersTest, ApplyCommonHeaders_EveryResponse_HeaderSet) {
  for (const char* path : {"/", "/api/auth", "/assets/app.js", "/nowhere", ""}) {
    for (bool tls : {false, true}) {
      Response r;
      r.content_type = "text/html";
      Router::ApplyCommonHeaders(Get(path, tls), r);
      SCOPED_TRACE(std::string(path) + (tls ? " tls" : " plain"));
      EXPECT_EQ(Values(r, "Content-Security-Policy"),
                std::vector<std::string>{std::string(kContentSecurityPolicy)});
      EXPECT_EQ(Values(r, "X-Content-Type-Options"), std::vector<std::string>{"nosniff"});
      EXPECT_EQ(Values(r, "Referrer-Policy"), std::vector<std::string>{"same-origin"});
      EXPECT_EQ(Values(r, "X-Frame-Options"), std::vector<std::string>{"DENY"});
      EXPECT_EQ(Values(r, "Strict-Transport-Security").size(), tls ? 1u : 0u);
      if (tls) {
        EXPECT_EQ(Values(r, "Strict-Transport-Security")[0], "max-age=31536000; includeSubDomains");
      }
    }
  }
}

TEST(SecurityHeadersTest, ContentSecurityPolicy_NoUnsafeSources) {
  std::string_view csp = kContentSecurityPolicy;
  EXPECT_EQ(csp.find("unsafe"), std::string_view::npos);
  for (const char* d :
       {"default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
        "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"}) {
    EXPECT_NE(csp.find(d), std::string_view::npos) << d;
  }
}

TEST(SecurityHeadersTest, ApplyCommonHeaders_Api_NoStoreOnce) {
  Response r;
  r.content_type = "application/json";
  Router::ApplyCommonHeaders(Get("/api/auth", false), r);
  EXPECT_EQ(Values(r, "Cache-Control"), std::vector<std::string>{"no-store"});
}

TEST(HttpsRedirectTest, Location_Table) {
  struct Case {
    const char* host;
    const char* target;
    unsigned short port;
    const char* expected;  // nullptr: refused
  };
  for (const Case& c : {
           Case{"example.com", "/", 443, "https://example.com/"},
           Case{"example.com:80", "/account?x=1", 443, "https://example.com/account?x=1"},
           Case{"Example.com:8080", "/a", 8443, "https://example.com:8443/a"},
           Case{"127.0.0.1:8080", "/api/auth", 8443, "https://127.0.0.1:8443/api/auth"},
           Case{"[::1]:8080", "/", 8443, "https://[::1]:8443/"},
           Case{"[::1]", "/", 443, "https://[::1]/"},
           Case{"example.com", "*", 443, "https://example.com/"},
           Case{"", "/", 443, nullptr},
           Case{"evil.com/x", "/", 443, nullptr},
           Case{"a@evil.com", "/", 443, nullptr},
       }) {
    auto got = HttpsRedirectLocation(c.host, c.target, c.port);
    if (c.expected == nullptr) {
      EXPECT_FALSE(got) << c.host;
    } else {
      ASSERT_TRUE(got) << c.host;
      EXPECT_EQ(*got, c.expected) << c.host;
    }
  }
  Response r = HttpsRedirect("example.com", "/x", 8443);
  EXPECT_EQ(r.status, 308);
  EXPECT_EQ(Values(r, "Location"), std::vector<std::string>{"https://example.com:8443/x"});
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"location":"https://example.com:8443/x"})");
  EXPECT_EQ(HttpsRedirect("", "/x", 8443).status, 400);
}

}  // namespace
}  // namespace latchkey::http
