#include "http/origin_policy.h"

#include <gtest/gtest.h>

namespace latchkey::http {
namespace {

TEST(OriginPolicyTest, NormalizeOrigin_Table) {
  struct Case {
    const char* input;
    const char* expected;  // nullptr: invalid
  };
  for (const Case& c : {
           Case{"http://example.com", "http://example.com"},
           Case{"HTTPS://Example.COM", "https://example.com"},
           Case{"http://example.com:80", "http://example.com"},
           Case{"https://example.com:443", "https://example.com"},
           Case{"http://example.com:443", "http://example.com:443"},
           Case{"https://127.0.0.1:8443", "https://127.0.0.1:8443"},
           Case{"http://[::1]:8080", "http://[::1]:8080"},
           Case{"http://[::1]", "http://[::1]"},
           Case{"http://a.b:008080", "http://a.b:8080"},
           Case{"null", nullptr},
           Case{"", nullptr},
           Case{"ftp://example.com", nullptr},
           Case{"http://", nullptr},
           Case{"http://example.com/", nullptr},
           Case{"http://example.com/path", nullptr},
           Case{"http://user@example.com", nullptr},
           Case{"http://example.com:", nullptr},
           Case{"http://example.com:0", nullptr},
           Case{"http://example.com:65536", nullptr},
           Case{"http://example.com:80:80", nullptr},
           Case{"http://[::1", nullptr},
           Case{"http://[::1]x", nullptr},
           Case{"http://exa mple.com", nullptr},
           Case{"example.com", nullptr},
       }) {
    auto got = NormalizeOrigin(c.input);
    if (c.expected == nullptr) {
      EXPECT_FALSE(got) << c.input << " -> " << got.value_or("");
    } else {
      ASSERT_TRUE(got) << c.input;
      EXPECT_EQ(*got, c.expected) << c.input;
    }
  }
}

Request Post(std::string host, std::optional<std::string> origin, std::string fetch_site = "",
             bool tls = false) {
  Request r;
  r.method = Method::kPost;
  r.path = "/api/auth/login";
  r.host = std::move(host);
  r.origin = std::move(origin);
  r.sec_fetch_site = std::move(fetch_site);
  r.tls = tls;
  return r;
}

TEST(OriginPolicyTest, Allows_DecisionTable) {
  OriginPolicy policy({"https://app.example.com", "http://localhost:3000"});
  struct Case {
    const char* label;
    Request request;
    bool allowed;
  };
  const Case cases[] = {
      {"same origin", Post("127.0.0.1:8080", "http://127.0.0.1:8080"), true},
      {"same origin, host case and default port", Post("Example.com:80", "http://example.com"),
       true},
      {"same origin over TLS", Post("example.com", "https://example.com", "", true), true},
      {"TLS origin, plain request (scheme differs)", Post("example.com", "https://example.com"),
       false},
      {"plain origin, TLS request", Post("example.com", "http://example.com", "", true), false},
      {"other port", Post("127.0.0.1:8080", "http://127.0.0.1:8081"), false},
      {"other host", Post("127.0.0.1:8080", "http://evil.example"), false},
      {"allowed origin", Post("127.0.0.1:8080", "https://app.example.com"), true},
      {"allowed origin with default port", Post("127.0.0.1:8080", "https://app.example.com:443"),
       true},
      {"allowed origin, other scheme", Post("127.0.0.1:8080", "http://app.example.com"), false},
      {"second allowed origin", Post("127.0.0.1:8080", "http://localhost:3000"), true},
      {"null origin", Post("127.0.0.1:8080", "null"), false},
      {"empty origin", Post("127.0.0.1:8080", ""), false},
      {"malformed origin", Post("127.0.0.1:8080", "http://127.0.0.1:8080/x"), false},
      {"origin, no Host", Post("", "http://127.0.0.1:8080"), false},
      {"no origin, no fetch metadata (curl)", Post("127.0.0.1:8080", std::nullopt), true},
      {"no origin, same-origin", Post("127.0.0.1:8080", std::nullopt, "same-origin"), true},
      {"no origin, same-site", Post("127.0.0.1:8080", std::nullopt, "same-site"), false},
      {"no origin, unknown fetch metadata", Post("127.0.0.1:8080", std::nullopt, "same-galaxy"),
       false},
      {"no origin, SAME-ORIGIN", Post("127.0.0.1:8080", std::nullopt, "SAME-ORIGIN"), true},
      {"no origin, none", Post("127.0.0.1:8080", std::nullopt, "none"), true},
      {"no origin, cross-site", Post("127.0.0.1:8080", std::nullopt, "cross-site"), false},
      {"no origin, Cross-Site", Post("127.0.0.1:8080", std::nullopt, "Cross-Site"), false},
      {"cross-site fetch metadata does not override a same origin",
       Post("127.0.0.1:8080", "http://127.0.0.1:8080", "cross-site"), true},
  };
  for (const Case& c : cases) EXPECT_EQ(policy.Allows(c.request), c.allowed) << c.label;
}

TEST(OriginPolicyTest, Check_Refused_403WithMessageAndCode) {
  OriginPolicy policy;
  auto refused = policy.Check(Post("127.0.0.1:8080", "http://evil.example"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(refused->body, R"({"error":"Cross-origin request refused","code":"origin_rejected"})");
  EXPECT_FALSE(policy.Check(Post("127.0.0.1:8080", "http://127.0.0.1:8080")));
}

}  // namespace
}  // namespace latchkey::http
