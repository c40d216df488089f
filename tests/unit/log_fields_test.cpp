#include "base/log_fields.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cstdio>
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

TEST(LogFields, NumbersAsPrintfWouldWriteThem) {
  for (double v : {0.0, 0.0005, 0.0015, 0.031249, 1.9995, 12.3456, 999.9999, 123456.789, 1e12}) {
    char want[64];
    std::snprintf(want, sizeof want, "%.3f", v);
    EXPECT_EQ(FormatEvent(LogFormat::kText, "e", {{"d", Fixed3{v}}}), std::string("e d=") + want);
  }
  EXPECT_EQ(FormatEvent(LogFormat::kText, "e", {{"n", std::int64_t{-42}}}), "e n=-42");
}

TEST(LogFields, Json_PlainAndEscapedStringsAsBoostJsonWritesThem) {
  for (std::string_view v :
       {"", "/api/auth", "127.0.0.1", "a\\b", "tab\there", "\x01\x7f\xc3\xa9"}) {
    std::string line = FormatEvent(LogFormat::kJson, "e", {{"v", v}});
    auto object = boost::json::parse("{" + line.substr(1) + "}").as_object();
    EXPECT_EQ(object.at("v").as_string(), v);
  }
  EXPECT_EQ(FormatEvent(LogFormat::kJson, "e", {{"v", std::string_view("x y")}}),
            std::string(1, kJsonMembersMarker) + "\"event\":\"e\",\"v\":\"x y\"");
}

}  // namespace
}  // namespace latchkey
