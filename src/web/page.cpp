#include "web/page.h"

#include <kainjow/mustache.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "crypto/encoding.h"
#include "crypto/random.h"

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
  Precompute();
}

PageTemplate::~PageTemplate() = default;

namespace {

// A marker no page contains by chance, ending in '&' so that its escaped form ("&amp;")
// differs from its raw form: an unescaped use ({{{csrf_token}}}) is then detected.
std::string Marker() { return "latchkeycsrf" + crypto::HexEncode(crypto::RandomBytes(16)) + "&"; }

std::vector<std::string> Split(const std::string& page, const std::string& marker) {
  std::vector<std::string> parts;
  std::size_t from = 0;
  for (std::size_t at; (at = page.find(marker, from)) != std::string::npos;) {
    parts.push_back(page.substr(from, at - from));
    from = at + marker.size();
  }
  parts.push_back(page.substr(from));
  return parts;
}

// The page split at every escaped occurrence of the token, or nothing when the token also
// appears otherwise (unescaped) or changes the page beyond its own occurrences.
std::vector<std::string> SplitAtToken(kainjow::mustache::mustache& tmpl) {
  std::string a = Marker(), b = Marker();
  kainjow::mustache::data da, db;
  da.set("csrf_token", a);
  db.set("csrf_token", b);
  auto parts = Split(tmpl.render(da), kainjow::mustache::html_escape(a));
  std::string core = a.substr(0, a.size() - 1);
  for (const auto& part : parts) {
    if (part.find(core) != std::string::npos) return {};
  }
  if (parts != Split(tmpl.render(db), kainjow::mustache::html_escape(b))) return {};
  return parts;
}

}  // namespace

void PageTemplate::Precompute() { parts_ = SplitAtToken(impl_->tmpl); }

std::string PageTemplate::Render(std::string_view csrf_token) const {
  if (!parts_.empty()) {
    std::string escaped = kainjow::mustache::html_escape(std::string(csrf_token));
    std::string page = parts_.front();
    for (std::size_t i = 1; i < parts_.size(); ++i) page.append(escaped).append(parts_[i]);
    return page;
  }
  kainjow::mustache::data data;
  data.set("csrf_token", std::string(csrf_token));
  std::lock_guard lock(mu_);
  return impl_->tmpl.render(data);
}

}  // namespace latchkey::web
