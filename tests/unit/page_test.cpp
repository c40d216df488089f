// The page is rendered once with a marker and spliced per request: it must give the same
// bytes as a mustache render with the token, whatever the template does with it.
#include "web/page.h"

#include <gtest/gtest.h>

#include <fstream>
#include <kainjow/mustache.hpp>

#include "test_support.h"

namespace latchkey::web {
namespace {

std::string Reference(const std::string& source, const std::string& token) {
  kainjow::mustache::mustache tmpl(source);
  kainjow::mustache::data data;
  data.set("csrf_token", token);
  return tmpl.render(data);
}

TEST(PageTemplate, SplicedPageEqualsAMustacheRender) {
  const std::string sources[] = {
      R"(<meta name="csrf-token" content="{{csrf_token}}"><p>{{csrf_token}}</p>)",
      "no token at all",
      "{{#csrf_token}}has a token: {{csrf_token}}{{/csrf_token}} end",  // a section on it
      "{{{csrf_token}}} unescaped and {{csrf_token}} escaped",
  };
  for (const std::string& source : sources) {
    testing::TempDir dir;
    std::ofstream(dir.path() / "index.html") << source;
    PageTemplate page(dir.path());
    for (const std::string token : {"AbC-_123", "<a&\"b'>", ""}) {
      EXPECT_EQ(page.Render(token), Reference(source, token)) << source << " / " << token;
    }
  }
}

TEST(PageTemplate, MissingTemplateIsAStartupError) {
  testing::TempDir dir;
  EXPECT_THROW(PageTemplate page(dir.path()), std::runtime_error);
}

}  // namespace
}  // namespace latchkey::web
