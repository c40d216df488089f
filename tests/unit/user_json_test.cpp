// The user object every auth answer carries, assembled without a JSON tree: it must still be
// valid JSON, with every string escaped (quotes, backslashes, control characters, non-ASCII).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/session_cookies.h"

namespace latchkey::api {
namespace {

TEST(UserJson, RoundTripsThroughAJsonParser) {
  identity::User user{identity::UserId(42), "alice", R"(A "quoted" \ name)"};
  user.name += '\n';
  user.name += '\x01';
  user.name += "\xC3\xA9\xF0\x9F\x94\x91";  // é and a key emoji, UTF-8
  std::string text = UserJson(user);
  boost::json::value parsed = boost::json::parse(text);
  const auto& u = parsed.at("user").as_object();
  EXPECT_EQ(u.at("id").as_int64(), 42);
  EXPECT_EQ(u.at("username").as_string(), "alice");
  EXPECT_EQ(std::string(u.at("name").as_string()), user.name);
  EXPECT_TRUE(u.at("email").is_null());
  EXPECT_EQ(u.at("email_verified").as_bool(), false);
  EXPECT_EQ(u.size(), 5u);
}

TEST(UserJson, EscapesExactlyAsBoostJsonSerializes) {
  // Every single byte, alone and inside text: the fast path for text that needs no escape and
  // the serializer for the rest must give what boost::json::serialize gives.
  for (int b = 0; b < 256; ++b) {
    for (std::string name : {std::string(1, static_cast<char>(b)),
                             "ab" + std::string(1, static_cast<char>(b)) + "cd"}) {
      boost::json::object user{
          {"id", 1}, {"username", "u"}, {"name", name}, {"email", name}, {"email_verified", true}};
      std::string want = "{\"user\":" + boost::json::serialize(user) + "}";
      EXPECT_EQ(UserJson({identity::UserId(1), "u", name, name, true}), want) << "byte " << b;
    }
  }
}

TEST(UserJson, ExactShape) {
  EXPECT_EQ(
      UserJson({identity::UserId(7), "bob", "Bob"}),
      R"({"user":{"id":7,"username":"bob","name":"Bob","email":null,"email_verified":false}})");
  EXPECT_EQ(
      UserJson({identity::UserId(7), "bob", "Bob", "bob@example.org", true}),
      R"({"user":{"id":7,"username":"bob","name":"Bob","email":"bob@example.org","email_verified":true}})");
}

}  // namespace
}  // namespace latchkey::api
