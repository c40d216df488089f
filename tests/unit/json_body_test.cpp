#include "http/json_body.h"

#include <gtest/gtest.h>

namespace latchkey::http {
namespace {

Request Json(std::string body, std::string content_type = "application/json") {
  Request r;
  r.method = Method::kPost;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

TEST(ParseJsonObject_Table, StatusByInput) {
  struct Case {
    const char* label;
    Request request;
    std::optional<Errc> error;
  };
  std::vector<Case> cases = {
      {"object", Json(R"({"a":"b"})"), std::nullopt},
      {"charset parameter", Json("{}", "application/json; charset=utf-8"), std::nullopt},
      {"upper case type", Json("{}", "Application/JSON"), std::nullopt},
      {"form type", Json("{}", "application/x-www-form-urlencoded"), Errc::kUnsupportedMediaType},
      {"no type", Json("{}", ""), Errc::kUnsupportedMediaType},
      {"malformed", Json("{\"a\":"), Errc::kInvalidInput},
      {"array", Json("[]"), Errc::kInvalidInput},
      {"number", Json("42"), Errc::kInvalidInput},
      {"empty body", Json(""), Errc::kInvalidInput},
      {"invalid UTF-8 in a value (checked per field)", Json("{\"a\":\"\xff\"}"), std::nullopt},
      {"too deep", Json(std::string(40, '[') + std::string(40, ']')), Errc::kInvalidInput},
  };
  for (const auto& c : cases) {
    auto r = ParseJsonObject(c.request);
    if (c.error) {
      ASSERT_FALSE(r) << c.label;
      EXPECT_EQ(r.error().code, *c.error) << c.label;
    } else {
      EXPECT_TRUE(r) << c.label;
    }
  }
}

TEST(StringField_Types, WrongTypeNamesField) {
  auto body = ParseJsonObject(Json(R"({"s":"x","n":1,"z":null})"));
  ASSERT_TRUE(body);
  EXPECT_EQ(*StringField(*body, "s", true), "x");
  auto n = StringField(*body, "n", true);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().field, "n");
  EXPECT_EQ(*StringField(*body, "z", false, "d"), "d");
  EXPECT_EQ(*StringField(*body, "missing", false), "");
  auto missing = StringField(*body, "missing", true);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().field, "missing");
}

TEST(StringField_Utf8, InvalidTextNamesField) {
  auto body = ParseJsonObject(Json("{\"username\":\"ab\xff\"}"));
  ASSERT_TRUE(body);
  auto r = StringField(*body, "username", true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "username");
}

TEST(ParseJsonObject_LoneSurrogateEscape, NamesTheFieldBeingRead) {
  auto r = ParseJsonObject(Json(R"({"username":"ok","name":"x\ud800y"})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidInput);
  EXPECT_EQ(r.error().field, "name");
  auto syntax = ParseJsonObject(Json(R"({"a":1,)"));
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().field, "") << "no value was being read";
}

}  // namespace
}  // namespace latchkey::http
