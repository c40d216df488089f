// docs/openapi.json against the real router (api/routes.cpp), both ways: every route the
// router serves is documented with its method, and every documented operation is a route --
// or, when marked "x-latchkey-fallback", is answered by the router's fallback (the page and
// the assets) and not by a route; or, when marked "x-latchkey-listener", is served by another
// listener (metrics). Each operation documents a success and, where it can fail, its errors,
// and every "$ref" resolves. tests/api/openapi.test.mjs checks the running server's answers
// against the same file.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "api/account_api.h"
#include "api/auth_api.h"
#include "api/cookie_policy.h"
#include "api/health_api.h"
#include "api/page_api.h"
#include "api/routes.h"
#include "api/session_cookies.h"
#include "api/sessions_api.h"
#include "flows_fixture.h"
#include "http/static_files.h"
#include "session/csrf.h"
#include "web/page.h"

namespace latchkey::api {
namespace {

namespace json = boost::json;

const char* MethodKey(http::Method m) {
  switch (m) {
    case http::Method::kGet:
      return "get";
    case http::Method::kHead:
      return "head";
    case http::Method::kPost:
      return "post";
    case http::Method::kPut:
      return "put";
    case http::Method::kPatch:
      return "patch";
    case http::Method::kDelete:
      return "delete";
    case http::Method::kOptions:
      return "options";
    case http::Method::kOther:
      break;
  }
  return "other";
}

const std::map<std::string, http::Method> kMethods = {
    {"get", http::Method::kGet},        {"head", http::Method::kHead},
    {"post", http::Method::kPost},      {"put", http::Method::kPut},
    {"patch", http::Method::kPatch},    {"delete", http::Method::kDelete},
    {"options", http::Method::kOptions}};

json::object LoadSpec() {
  std::ifstream in(std::string(LATCHKEY_SOURCE_DIR) + "/docs/openapi.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str()).as_object();
}

// A concrete path for a templated one: "{name}" segments become "x".
std::string Concrete(const std::string& pattern) {
  std::string out;
  bool in_param = false;
  for (char c : pattern) {
    if (c == '{') {
      in_param = true;
      out += 'x';
    } else if (c == '}') {
      in_param = false;
    } else if (!in_param) {
      out += c;
    }
  }
  return out;
}

// Every "$ref" under `v` points at an existing "#/components/<kind>/<name>".
void ExpectRefsResolve(const json::value& v, const json::object& spec, const std::string& where) {
  if (v.is_object()) {
    for (const auto& [key, child] : v.as_object()) {
      if (key == "$ref") {
        std::string ref(child.as_string());
        ASSERT_EQ(ref.rfind("#/components/", 0), 0u) << where << ": " << ref;
        std::string rest = ref.substr(13);
        auto slash = rest.find('/');
        ASSERT_NE(slash, std::string::npos) << ref;
        const auto& kind = spec.at("components").as_object().if_contains(rest.substr(0, slash));
        ASSERT_NE(kind, nullptr) << where << ": " << ref;
        EXPECT_NE(kind->as_object().if_contains(rest.substr(slash + 1)), nullptr)
            << where << ": " << ref;
      } else {
        ExpectRefsResolve(child, spec, where + "/" + std::string(key));
      }
    }
  } else if (v.is_array()) {
    for (const auto& child : v.as_array()) ExpectRefsResolve(child, spec, where);
  }
}

class OpenApiTest : public flows::FlowsTest {
 protected:
  const http::Router& router_ = node_.pipeline.router();
  json::object spec_ = LoadSpec();

  const json::object& Paths() const { return spec_.at("paths").as_object(); }
};

TEST_F(OpenApiTest, EveryRouteIsDocumented) {
  ASSERT_FALSE(router_.routes().empty());
  for (const http::Route& route : router_.routes()) {
    const json::value* item = Paths().if_contains(route.path);
    ASSERT_NE(item, nullptr) << route.path << " is served but not in docs/openapi.json";
    const json::value* op = item->as_object().if_contains(MethodKey(route.method));
    ASSERT_NE(op, nullptr) << MethodKey(route.method) << " " << route.path
                           << " is served but not documented";
    EXPECT_EQ(op->as_object().if_contains("x-latchkey-fallback"), nullptr)
        << route.path << " is a route, not the fallback";
  }
}

TEST_F(OpenApiTest, EveryDocumentedOperationIsServed) {
  std::set<std::pair<std::string, std::string>> routes;
  for (const http::Route& route : router_.routes())
    routes.emplace(MethodKey(route.method), route.path);
  int operations = 0;
  for (const auto& [path, item] : Paths()) {
    for (const auto& [method, op] : item.as_object()) {
      if (!kMethods.contains(std::string(method))) continue;  // "parameters", "summary", ...
      ++operations;
      const std::string where = std::string(method) + " " + std::string(path);
      if (op.as_object().if_contains("x-latchkey-listener")) continue;  // another listener
      const bool fallback = op.as_object().if_contains("x-latchkey-fallback") != nullptr;
      // A GET route serves HEAD too (http/router.h).
      const bool served = routes.contains({std::string(method), std::string(path)}) ||
                          (method == "head" && routes.contains({"get", std::string(path)}));
      EXPECT_EQ(served, !fallback) << where
                                   << (fallback ? " is marked fallback but is a route"
                                                : " is documented but no route serves it");
      // What the router does with it: a route's handler, or the fallback.
      http::Request request;
      request.method = kMethods.at(std::string(method));
      request.path = Concrete(std::string(path));
      http::RouteMatch match = router_.Match(request);
      if (fallback) {
        EXPECT_TRUE(match.route < 0 && match.params.empty() && !match.refusal) << where;
      } else {
        EXPECT_GE(match.route, 0) << where << " matches no route";
      }
    }
  }
  EXPECT_GE(operations, static_cast<int>(router_.routes().size()));
}

TEST_F(OpenApiTest, EveryOperationDocumentsItsAnswers) {
  for (const auto& [path, item] : Paths()) {
    for (const auto& [method, op] : item.as_object()) {
      if (!kMethods.contains(std::string(method))) continue;
      const std::string where = std::string(method) + " " + std::string(path);
      const json::object& o = op.as_object();
      EXPECT_TRUE(o.contains("operationId")) << where;
      EXPECT_TRUE(o.contains("summary")) << where;
      const json::object& responses = o.at("responses").as_object();
      bool success = false;
      for (const auto& [status, r] : responses) {
        success = success || status.starts_with("2");
        (void)r;
      }
      EXPECT_TRUE(success) << where << " documents no success";
      // A state-changing API call can always be refused by the origin/CSRF guard.
      if (http::IsStateChanging(kMethods.at(std::string(method))) && path.starts_with("/api")) {
        EXPECT_TRUE(responses.contains("403")) << where << " does not document 403";
      }
      // A state-changing call made with a session can name the user it expects: 409.
      if (http::IsStateChanging(kMethods.at(std::string(method))) && path.starts_with("/api") &&
          o.contains("security") && path != "/api/auth/signup" &&
          path != "/api/auth/recovery") {  // the two that never look at a session
        EXPECT_TRUE(responses.contains("409")) << where << " does not document 409 user_mismatch";
      }
      // A call that takes a body documents the body's errors.
      if (o.contains("requestBody")) {
        for (const char* status : {"400", "413", "415"}) {
          EXPECT_TRUE(responses.contains(status)) << where << " does not document " << status;
        }
      }
      // A call that needs a session documents 401.
      if (const auto* security = o.if_contains("security")) {
        for (const auto& requirement : security->as_array()) {
          if (requirement.as_object().contains("sessionCookie")) {
            EXPECT_TRUE(responses.contains("401")) << where << " does not document 401";
          }
        }
      }
    }
  }
  ExpectRefsResolve(spec_, spec_, "#");
}

}  // namespace
}  // namespace latchkey::api
