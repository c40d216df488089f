#include "web/page.h"

#include <kainjow/mustache.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace latchkey::web {

struct PageTemplate::Impl {
  explicit Impl(const std::string& source) : tmpl(source) {}
  kainjow::mustache::mustache tmpl;
};

PageTemplate::PageTemplate(const std::filesystem::path& root) {
  std::filesystem::path file = root / "index.html";
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read page template " + file.string() +
                             " (build the client with `npm run build`, or set --web-root)");
  }
  std::ostringstream source;
  source << in.rdbuf();
  impl_ = std::make_unique<Impl>(source.str());
  if (!impl_->tmpl.is_valid()) {
    throw std::runtime_error("page template " + file.string() +
                             " does not compile: " + impl_->tmpl.error_message());
  }
}

PageTemplate::~PageTemplate() = default;

std::string PageTemplate::Render(std::string_view csrf_token) const {
  kainjow::mustache::data data;
  data.set("csrf_token", std::string(csrf_token));
  std::lock_guard lock(mu_);
  return impl_->tmpl.render(data);
}

}  // namespace latchkey::web
