// The one error table (base/errc.h) and the error bodies made from it (http/error_mapping.h):
// every Errc has a row, codes are unique and snake_case, bodies carry error, code and field.
#include "http/error_mapping.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>
#include <string>

namespace latchkey::http {
namespace {

TEST(ErrorTable, EveryErrcHasItsOwnCodeStatusAndMessage) {
  std::set<std::string_view> codes;
  for (int i = 0; i <= static_cast<int>(Errc::kInternal); ++i) {
    auto errc = static_cast<Errc>(i);
    std::string_view code = InfoOf(errc).code;
    EXPECT_EQ(InfoOf(errc).errc, errc) << "Errc " << i << " has no row of its own";
    EXPECT_TRUE(codes.insert(code).second) << "code " << code << " used twice (Errc " << i << ")";
    EXPECT_FALSE(InfoOf(errc).message.empty()) << code;
    EXPECT_GE(StatusFor(errc), 400) << code;
    for (char c : code) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << code;
  }
  EXPECT_EQ(InfoOf(Errc::kInternal).code, "internal_error");
  EXPECT_EQ(MessageOf(MakeError(Errc::kUnauthenticated)), "Not logged in");
  EXPECT_EQ(MessageOf(MakeError(Errc::kNotFound, "No such session")), "No such session");
  EXPECT_EQ(StatusFor(Errc::kSessionEnded), 401);
  EXPECT_EQ(StatusFor(Errc::kOriginRejected), 403);
  EXPECT_EQ(StatusFor(Errc::kHeadersTooLarge), 431);
}

TEST(ErrorResponse, BodyHasMessageCodeAndField_DefaultMessageFromTheTable) {
  Response r = ErrorResponse(MakeError(Errc::kSessionEnded));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(boost::json::parse(r.body),
            boost::json::parse(R"({"error":"Your session has ended. Please log in again.",)"
                               R"("code":"session_ended"})"));
  r = ErrorResponse(MakeError(Errc::kInvalidInput, "name is too long", "name"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(boost::json::parse(r.body),
            boost::json::parse(
                R"({"error":"name is too long","code":"validation_failed","field":"name"})"));
  Error limited = MakeError(Errc::kRateLimited);
  limited.retry_after = 7;
  r = ErrorResponse(limited);
  EXPECT_EQ(r.status, 429);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
  EXPECT_EQ(r.headers[0].second, "7");
}

TEST(ErrorResponse, ServerBusy_SaysRetryAfterOneSecond) {
  Response r = ErrorResponse(MakeError(Errc::kServerBusy));
  EXPECT_EQ(r.status, 503);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
  EXPECT_EQ(r.headers[0].second, "1");
}

}  // namespace
}  // namespace latchkey::http
