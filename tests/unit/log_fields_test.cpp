#include "base/log_fields.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

namespace latchkey {
namespace {

TEST(LogFields, Text_KeyValueWithQuotingOfUnsafeValues) {
  std::string line = FormatEvent(LogFormat::kText, "request",
                                 {{"method", std::string_view("GET")},
                                  {"status", std::int64_t{200}},
                                  {"duration_ms", Fixed3{0.0312}},
                                  {"ip", std::string_view("a b\nrequest status=500")}});
  EXPECT_EQ(line,
            "request method=GET status=200 duration_ms=0.031 "
            "ip=\"a b\\nrequest status=500\"");
}

TEST(LogFields, Json_MembersParseAsOneObject) {
  std::string line = FormatEvent(LogFormat::kJson, "auth_event",
                                 {{"type", std::string_view("login")},
                                  {"user_id", std::int64_t{7}},
                                  {"ip", std::string_view("\"quoted\"\n")}});
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.front(), kJsonMembersMarker);
  auto object = boost::json::parse("{" + line.substr(1) + "}").as_object();
  EXPECT_EQ(object.at("event").as_string(), "auth_event");
  EXPECT_EQ(object.at("type").as_string(), "login");
  EXPECT_EQ(object.at("user_id").as_int64(), 7);
  EXPECT_EQ(object.at("ip").as_string(), "\"quoted\"\n");
}

}  // namespace
}  // namespace latchkey
