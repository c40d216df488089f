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

TEST(ParseJsonObject_DuplicateKeys, RefusedNamingTopLevelKey) {
  struct Case {
    const char* label;
    std::string body;
    std::string field;
  };
  std::vector<Case> cases = {
      {"top-level", R"({"username":"a","username":"b"})", "username"},
      {"top-level, same value", R"({"password":"x","name":"n","password":"x"})", "password"},
      {"top-level, other types", R"({"remember":true,"remember":false})", "remember"},
      {"escaped spelling of the same key", R"({"name":"a","n\u0061me":"b"})", "name"},
      {"nested: names the top-level field", R"({"user":{"a":1,"a":2}})", "user"},
      {"nested in an array", R"({"list":[{"k":1},{"k":2,"k":3}]})", "list"},
      {"non-UTF-8 key is not echoed", "{\"\xff\":1,\"\xff\":2}", ""},
      {"long key is not echoed",
       "{\"" + std::string(200, 'k') + "\":1,\"" + std::string(200, 'k') + "\":2}", ""},
  };
  for (const auto& c : cases) {
    auto r = ParseJsonObject(Json(c.body));
    ASSERT_FALSE(r) << c.label;
    EXPECT_EQ(r.error().code, Errc::kInvalidInput) << c.label;
    EXPECT_EQ(r.error().field, c.field) << c.label;
  }
}

TEST(ParseJsonObject_DistinctKeys, SameKeyInSiblingObjectsIsFine) {
  auto r = ParseJsonObject(Json(R"({"a":{"k":1},"b":{"k":2},"c":[{"k":1},{"k":1}],"k":0})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), 4u);
  EXPECT_EQ(r->at("c").as_array().size(), 2u);
  auto keys = ParseJsonObject(Json(R"({"Name":"a","name":"b"})"));
  EXPECT_TRUE(keys) << "keys are case-sensitive";
}

TEST(ParseJsonObject_Values, BuildsTheSameDomAsBoostJson) {
  auto r = ParseJsonObject(Json(
      R"({"s":"t\u00e9xt","i":-5,"u":18446744073709551615,"d":1.5,"b":true,"n":null,"a":[1,"x",{}]})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->at("s").as_string(), "t\xc3\xa9xt");
  EXPECT_EQ(r->at("i").as_int64(), -5);
  EXPECT_EQ(r->at("u").as_uint64(), 18446744073709551615ull);
  EXPECT_EQ(r->at("d").as_double(), 1.5);
  EXPECT_TRUE(r->at("b").as_bool());
  EXPECT_TRUE(r->at("n").is_null());
  EXPECT_EQ(r->at("a").as_array().size(), 3u);
  std::string big = "{\"long\":\"" + std::string(10000, 'x') + "\"}";
  auto large = ParseJsonObject(Json(big));
  ASSERT_TRUE(large) << "values beyond the parser's stack buffer";
  EXPECT_EQ(large->at("long").as_string().size(), 10000u);
  EXPECT_FALSE(ParseJsonObject(Json(R"({"a":1} {"b":2})"))) << "trailing data";
  EXPECT_FALSE(ParseJsonObject(Json(R"({"a":1}x)"))) << "trailing garbage";
  EXPECT_TRUE(ParseJsonObject(Json("{\"a\":1}  \n"))) << "trailing whitespace";
}

TEST(StringField_LineBreaksAndNul, RefusedNamingTheField) {
  for (const char* raw :
       {R"({"f":"a\u0000b"})", R"({"f":"a\rb"})", R"({"f":"a\nb"})", R"({"f":"ab\r\n"})"}) {
    auto body = ParseJsonObject(Json(raw));
    ASSERT_TRUE(body) << raw;
    auto r = StringField(*body, "f", true);
    ASSERT_FALSE(r) << raw;
    EXPECT_EQ(r.error().code, Errc::kInvalidInput) << raw;
    EXPECT_EQ(r.error().field, "f") << raw;
  }
  auto ok = ParseJsonObject(Json(R"({"f":"a\tb \u0001 \u0085"})"));
  ASSERT_TRUE(ok);
  EXPECT_TRUE(StringField(*ok, "f", true)) << "other characters are the field rules' business";
}

}  // namespace
}  // namespace latchkey::http
