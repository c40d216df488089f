// The built client's assets (<web-root>/assets/**), loaded into memory at startup and served
// from there: a request can only ever name a file that was loaded, so there is no path
// traversal to defend at request time (OWASP ASVS 12.3.1). Files carry their MIME type, an
// ETag (SHA-256 prefix) and "Cache-Control: no-cache" so browsers revalidate (304) instead of
// running a stale bundle after an upgrade.
// Thread-safety: immutable after construction.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/request.h"

namespace latchkey::http {

class StaticFiles {
 public:
  // Loads every regular file under root/assets (symlinks are not followed out of the tree).
  // A missing directory gives an empty set (logged by the caller). Throws on read errors.
  explicit StaticFiles(const std::filesystem::path& root);

  // The response for a request path such as "/assets/app.js" (percent-encoded), or nullopt
  // when no such asset exists.
  std::optional<Response> Serve(const Request& request) const;

  std::size_t size() const { return files_.size(); }

  // MIME type by file extension; "application/octet-stream" when unknown.
  static std::string_view MimeType(std::string_view path);

 private:
  struct File {
    std::string body;
    std::string mime;
    std::string etag;
  };
  std::unordered_map<std::string, File> files_;  // key: "/assets/<relative path>"
};

}  // namespace latchkey::http
