// Accept-Encoding (RFC 9110 12.5.3) and If-None-Match (RFC 9110 13.1.2) as the static files
// read them: tables of header values and verdicts, each labelled.
#include "http/content_negotiation.h"

#include <gtest/gtest.h>

namespace latchkey::http {
namespace {

struct CodingCase {
  const char* label;
  const char* accept_encoding;
  bool has_br;
  bool has_gzip;
  Coding want;
};

TEST(ChooseCoding, PicksTheBestAcceptableVariant) {
  const CodingCase cases[] = {
      {"absent header: identity", "", true, true, Coding::kIdentity},
      {"blank header: identity", "  ", true, true, Coding::kIdentity},
      {"Chromium's header: br", "gzip, deflate, br, zstd", true, true, Coding::kBrotli},
      {"gzip only", "gzip", true, true, Coding::kGzip},
      {"br only", "br", true, true, Coding::kBrotli},
      {"br asked, file has only gzip", "br", false, true, Coding::kIdentity},
      {"both asked, file has only gzip", "br, gzip", false, true, Coding::kGzip},
      {"no variants at all", "br, gzip", false, false, Coding::kIdentity},
      {"higher q for gzip wins", "br;q=0.5, gzip;q=0.9", true, true, Coding::kGzip},
      {"equal q: br first", "gzip;q=0.8, br;q=0.8", true, true, Coding::kBrotli},
      {"br refused by q=0", "br;q=0, gzip", true, true, Coding::kGzip},
      {"q=0.000 is a refusal", "br;q=0.000", true, true, Coding::kIdentity},
      {"names are case-insensitive", "BR, GZip", true, true, Coding::kBrotli},
      {"x-gzip is gzip", "x-gzip", false, true, Coding::kGzip},
      {"spaces around ; and =", "br ; q = 0 , gzip ;q=1", true, true, Coding::kGzip},
      {"Q in capitals", "br;Q=0, gzip", true, true, Coding::kGzip},
      {"* takes any coding", "*", true, true, Coding::kBrotli},
      {"* weighs the unlisted", "gzip;q=0.2, *;q=0.5", true, true, Coding::kBrotli},
      {"identity preferred over coded", "identity, br;q=0.5", true, true, Coding::kIdentity},
      {"*;q=0 leaves identity refused, br listed", "br, *;q=0", true, true, Coding::kBrotli},
      {"all refused: identity anyway", "br;q=0, gzip;q=0, identity;q=0", true, true,
       Coding::kIdentity},
      {"q above 1 is invalid: refused", "br;q=2, gzip", true, true, Coding::kGzip},
      {"q 1.5 is invalid: refused", "br;q=1.5, gzip", true, true, Coding::kGzip},
      {"q with four decimals is invalid", "br;q=0.1234, gzip;q=0.1", true, true, Coding::kGzip},
      {"q that is not a number", "br;q=abc, gzip", true, true, Coding::kGzip},
      {"unknown codings ignored", "zstd, deflate", true, true, Coding::kIdentity},
      {"empty members ignored", ",, br ,,", true, true, Coding::kBrotli},
      {"other parameters ignored", "br;level=5", true, true, Coding::kBrotli},
  };
  for (const CodingCase& c : cases) {
    EXPECT_EQ(ChooseCoding(c.accept_encoding, c.has_br, c.has_gzip), c.want) << c.label;
  }
}

TEST(CodingName, IsTheContentEncodingValue) {
  EXPECT_EQ(CodingName(Coding::kBrotli), "br");
  EXPECT_EQ(CodingName(Coding::kGzip), "gzip");
  EXPECT_EQ(CodingName(Coding::kIdentity), "");
}

struct MatchCase {
  const char* label;
  const char* if_none_match;
  bool want;
};

TEST(IfNoneMatchMatches, WeakComparisonOverTheList) {
  const char* etag = "\"abc123\"";
  const MatchCase cases[] = {
      {"the same tag", "\"abc123\"", true},
      {"another tag", "\"abc124\"", false},
      {"empty header", "", false},
      {"star", "*", true},
      {"star with spaces", " * ", true},
      {"in a list", "\"x\", \"abc123\"", true},
      {"in a list without spaces", "\"x\",\"abc123\"", true},
      {"weak form of the tag (weak comparison)", "W/\"abc123\"", true},
      {"weak in a list", "\"x\", W/\"abc123\"", true},
      {"unquoted is malformed", "abc123", false},
      {"comma inside a tag is part of it", "\"abc,123\"", false},
      {"a tag containing the tag", "\"xabc123\"", false},
      {"unterminated", "\"abc123", false},
      {"malformed member stops the list", "junk, \"abc123\"", false},
      {"lowercase w/ is not weak", "w/\"abc123\"", false},
  };
  for (const MatchCase& c : cases) {
    EXPECT_EQ(IfNoneMatchMatches(c.if_none_match, etag), c.want) << c.label;
  }
  EXPECT_TRUE(IfNoneMatchMatches("\"abc123\"", "W/\"abc123\"")) << "weak stored tag";
}

}  // namespace
}  // namespace latchkey::http
