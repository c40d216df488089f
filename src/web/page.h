// The single page: <web-root>/index.html, a mustache template (kainjow) rendered with
// {{csrf_token}} for every page load (GET / and pushState deep links).
// Thread-safety: Render is safe from many threads (serialised internally: the mustache
// object is not const-renderable).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace latchkey::web {

class PageTemplate {
 public:
  // Reads and compiles root/index.html. Throws std::runtime_error when it is missing or does
  // not compile (a startup failure that names the file).
  explicit PageTemplate(const std::filesystem::path& root);
  ~PageTemplate();

  // The page with the CSRF token in place (HTML-escaped by mustache).
  std::string Render(std::string_view csrf_token) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  mutable std::mutex mu_;
};

}  // namespace latchkey::web
