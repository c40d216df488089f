// Static assets as loaded from a web root: which names are immutable, which representation a
// request gets (Content-Encoding, Vary, ETag), 304s, and the .br/.gz variants' rules.
#include "http/static_files.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <set>

#include "test_support.h"

namespace latchkey::http {
namespace {

namespace fs = std::filesystem;

std::string HeaderOf(const Response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "(none)";
}

void Write(const fs::path& file, const std::string& body) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << body;
}

Request Get(std::string path, std::string accept_encoding = "", std::string if_none_match = "") {
  Request r;
  r.path = std::move(path);
  r.accept_encoding = std::move(accept_encoding);
  r.if_none_match = std::move(if_none_match);
  return r;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::path a = dir_.path() / "assets";
    Write(a / "app.0123abcd.js", "identity bytes");
    Write(a / "app.0123abcd.js.br", "br bytes");
    Write(a / "app.0123abcd.js.gz", "gzip bytes");
    Write(a / "plain.txt", "plain");
    Write(a / "only-gzip.css", "css");
    Write(a / "only-gzip.css.gz", "css gz");
    Write(a / "stale.js", "new build");
    Write(a / "stale.js.br", "old build, br");
    fs::last_write_time(a / "stale.js.br",
                        fs::last_write_time(a / "stale.js") - std::chrono::hours(1));
    Write(a / "copied.js", "copied");
    Write(a / "copied.js.gz", "copied, gzip");  // written first by a copy, a moment older
    fs::last_write_time(a / "copied.js.gz",
                        fs::last_write_time(a / "copied.js") - std::chrono::seconds(1));
    Write(a / "archive.tar.gz", "a file of its own");
  }
  testing::TempDir dir_;
};

TEST_F(StaticFilesTest, Load_VariantsAreNotFilesAndStaleOnesAreIgnored) {
  StaticFiles files(dir_.path());
  EXPECT_EQ(files.size(), 6u);  // app, plain, only-gzip, stale, copied, archive.tar.gz
  EXPECT_EQ(files.stale_variants(), 1u);
  EXPECT_FALSE(files.Serve(Get("/assets/app.0123abcd.js.br")));
  EXPECT_FALSE(files.Serve(Get("/assets/only-gzip.css.gz")));
  auto archive = files.Serve(Get("/assets/archive.tar.gz", "gzip"));
  ASSERT_TRUE(archive);
  EXPECT_EQ(archive->body, "a file of its own");
  EXPECT_EQ(archive->content_type, "application/gzip");
  EXPECT_EQ(HeaderOf(*archive, "Content-Encoding"), "(none)");
}

TEST_F(StaticFilesTest, Serve_HashedName_ImmutableInTheAcceptedCoding) {
  StaticFiles files(dir_.path());
  const struct {
    const char* label;
    const char* accept_encoding;
    const char* body;
    const char* encoding;
  } cases[] = {
      {"no Accept-Encoding", "", "identity bytes", "(none)"},
      {"browser", "gzip, deflate, br", "br bytes", "br"},
      {"gzip only", "gzip", "gzip bytes", "gzip"},
      {"identity asked", "identity", "identity bytes", "(none)"},
  };
  std::set<std::string> etags;
  for (const auto& c : cases) {
    auto r = files.Serve(Get("/assets/app.0123abcd.js", c.accept_encoding));
    ASSERT_TRUE(r) << c.label;
    EXPECT_EQ(r->status, 200) << c.label;
    EXPECT_EQ(r->body, c.body) << c.label;
    EXPECT_EQ(r->content_type, "text/javascript; charset=utf-8") << c.label;
    EXPECT_EQ(HeaderOf(*r, "Content-Encoding"), c.encoding) << c.label;
    EXPECT_EQ(HeaderOf(*r, "Vary"), "Accept-Encoding") << c.label;
    EXPECT_EQ(HeaderOf(*r, "Cache-Control"), "public, max-age=31536000, immutable") << c.label;
    etags.insert(HeaderOf(*r, "ETag"));
  }
  EXPECT_EQ(etags.size(), 3u) << "one ETag per representation";
}

TEST_F(StaticFilesTest, Serve_PlainName_RevalidatedAndNotVaried) {
  StaticFiles files(dir_.path());
  auto r = files.Serve(Get("/assets/plain.txt", "br, gzip"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "plain");
  EXPECT_EQ(HeaderOf(*r, "Cache-Control"), "no-cache");
  EXPECT_EQ(HeaderOf(*r, "Vary"), "(none)");
  EXPECT_EQ(HeaderOf(*r, "Content-Encoding"), "(none)");
}

TEST_F(StaticFilesTest, Serve_StaleVariant_IdentityInstead) {
  StaticFiles files(dir_.path());
  auto r = files.Serve(Get("/assets/stale.js", "br"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "new build");
  EXPECT_EQ(HeaderOf(*r, "Content-Encoding"), "(none)");
}

TEST_F(StaticFilesTest, Serve_VariantAMomentOlder_StillServed) {
  StaticFiles files(dir_.path());
  auto r = files.Serve(Get("/assets/copied.js", "gzip"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "copied, gzip");
  EXPECT_EQ(HeaderOf(*r, "Content-Encoding"), "gzip");
}

TEST_F(StaticFilesTest, Serve_IfNoneMatchAnyRepresentation_304WithThatTag) {
  StaticFiles files(dir_.path());
  std::string gzip_tag = HeaderOf(*files.Serve(Get("/assets/app.0123abcd.js", "gzip")), "ETag");
  // The client cached the gzip copy and now also takes br: its copy is still current.
  auto r = files.Serve(Get("/assets/app.0123abcd.js", "br, gzip", "\"other\", " + gzip_tag));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(HeaderOf(*r, "ETag"), gzip_tag);
  EXPECT_EQ(HeaderOf(*r, "Vary"), "Accept-Encoding");
  EXPECT_EQ(HeaderOf(*r, "Cache-Control"), "public, max-age=31536000, immutable");

  auto miss = files.Serve(Get("/assets/app.0123abcd.js", "br", "\"other\""));
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->status, 200);
  EXPECT_EQ(miss->body, "br bytes");
}

TEST(StaticFiles, IsContentHashed_NamesWithAHexSegment) {
  const struct {
    const char* path;
    bool want;
  } cases[] = {
      {"/assets/app.3f9c2a1b.js", true},
      {"/assets/sub/vendor.0123456789abcdef0123.min.js", true},
      {"/assets/app.3f9c2a1b.js.map", true},
      {"/assets/app.js", false},
      {"/assets/common-passwords.txt", false},
      {"/assets/app.3f9c2a1.js", false},       // 7 digits
      {"/assets/app.3F9C2A1B.js", false},      // uppercase
      {"/assets/app.3f9c2a1g.js", false},      // not hex
      {"/assets/3f9c2a1b.js", false},          // the hash is the name
      {"/assets/app.3f9c2a1b", false},         // the hash is the extension
      {"/assets/jquery.3.7.1.js", false},      // a version
      {"/assets/deadbeef00.d/app.js", false},  // only the file name counts
      {"/assets/.3f9c2a1b.js", false},         // no name
  };
  for (const auto& c : cases) EXPECT_EQ(StaticFiles::IsContentHashed(c.path), c.want) << c.path;
}

}  // namespace
}  // namespace latchkey::http
