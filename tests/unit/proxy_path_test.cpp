// http/proxy/path.h: the one normalisation the proxy decides on and sends (issue 17, path
// confusion), and segment-boundary prefixes.
#include "http/proxy/path.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace latchkey::http::proxy {
namespace {

struct Case {
  const char* label;
  const char* in;
  std::optional<std::string> out;  // nullopt: refused
};

TEST(NormalizePath, Table_GivesTheFormDecidedOnAndSent) {
  const Case cases[] = {
      {"root", "/", "/"},
      {"plain", "/api/notes", "/api/notes"},
      {"trailing slash kept", "/api/notes/", "/api/notes/"},
      {"repeated slashes", "//api///notes", "/api/notes"},
      {"dot segment", "/api/./notes", "/api/notes"},
      {"dot-dot inside", "/api/x/../notes", "/api/notes"},
      {"dot-dot to a sibling", "/api/notes/public/../secret", "/api/notes/secret"},
      {"encoded dots", "/api/x/%2e%2e/notes", "/api/notes"},
      {"encoded dot upper", "/api/x/%2E%2E/notes", "/api/notes"},
      {"half encoded dots", "/api/x/.%2e/notes", "/api/notes"},
      {"unreserved decoded", "/api/%6Eotes", "/api/notes"},
      {"reserved kept upper", "/api/a%3ab", "/api/a%3Ab"},
      {"space kept", "/a%20b", "/a%20b"},
      {"trailing dot", "/api/notes/.", "/api/notes/"},
      {"trailing dot-dot", "/api/notes/x/..", "/api/notes/"},
      {"case kept", "/API/Notes", "/API/Notes"},
      {"dot-dot to root", "/a/..", "/"},
      {"above root", "/..", std::nullopt},
      {"above root later", "/a/../../b", std::nullopt},
      {"encoded above root", "/%2e%2e/etc", std::nullopt},
      {"encoded slash", "/api/notes%2Fsecret", std::nullopt},
      {"encoded slash lower", "/api/notes%2fsecret", std::nullopt},
      {"encoded backslash", "/api/notes%5C..", std::nullopt},
      {"raw backslash", "/api/notes\\..\\x", std::nullopt},
      {"encoded nul", "/api/%00", std::nullopt},
      {"bad escape", "/api/%zz", std::nullopt},
      {"cut escape", "/api/%4", std::nullopt},
      {"lone percent", "/api/%", std::nullopt},
      {"dot-dot with matrix", "/public/..;/admin", std::nullopt},
      {"dot with matrix", "/public/.;x/admin", std::nullopt},
      {"matrix kept", "/a;v=1/b", "/a;v=1/b"},
      {"relative", "api/notes", std::nullopt},
      {"empty", "", std::nullopt},
      {"absolute form", "http://evil/api", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NormalizePath(c.in), c.out) << c.label << ": " << c.in;
  }
}

TEST(NormalizePath, Idempotent_NormalFormIsItsOwn) {
  for (const char* in : {"/a//b/../c/", "/%7euser/x%3a", "/x/%2e/y"}) {
    auto once = NormalizePath(in);
    ASSERT_TRUE(once) << in;
    EXPECT_EQ(NormalizePath(*once), once) << in;
  }
}

TEST(UnderPrefix, SegmentBoundary_OnlyWholeSegments) {
  EXPECT_TRUE(UnderPrefix("/api/notes", "/api/notes"));
  EXPECT_TRUE(UnderPrefix("/api/notes/", "/api/notes"));
  EXPECT_TRUE(UnderPrefix("/api/notes/1", "/api/notes"));
  EXPECT_FALSE(UnderPrefix("/api/notesx", "/api/notes"));
  EXPECT_FALSE(UnderPrefix("/api/note", "/api/notes"));
  EXPECT_FALSE(UnderPrefix("/API/notes", "/api/notes"));
  EXPECT_TRUE(UnderPrefix("/anything", "/"));
}

}  // namespace
}  // namespace latchkey::http::proxy
