// The single page: <web-root>/index.html, a mustache template (kainjow) with {{csrf_token}},
// served on every page load (GET / and pushState deep links).
// The template is rendered once, at startup, with a random marker as the token; each page is
// then those parts joined by the HTML-escaped token: the same bytes as a render per request,
// without one (kainjow's render is not const, so per-request renders would also serialise on a
// mutex). The marker render is checked at startup against a second marker; a template whose
// output depends on the token otherwise than by substitution falls back to a locked render
// per request.
// Thread-safety: Render is safe from many threads.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

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
  void Precompute();

  struct Impl;
  std::unique_ptr<Impl> impl_;
  mutable std::mutex mu_;           // for the fallback render only
  std::vector<std::string> parts_;  // the page split at the token; empty: render per request
};

}  // namespace latchkey::web
