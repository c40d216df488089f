// The built client's assets (<web-root>/assets/**), loaded into memory at startup and served
// from there: a request can only ever name a file that was loaded, so there is no path
// traversal to defend at request time (OWASP ASVS 12.3.1).
//
// Caching (RFC 9111 5.2.2):
//   - a file whose name carries a content hash, "<name>.<hash>.<ext>" with <hash> 8 to 64
//     lowercase hex digits (app.3f9c2a1b.js: the build's names, or webpack's [contenthash]),
//     never changes under that name: "Cache-Control: public, max-age=31536000, immutable"
//     (one year, RFC 9111 5.2.2.1; RFC 8246), so a returning visitor asks for nothing;
//   - every other file: "no-cache", so browsers revalidate (304) instead of running a stale
//     bundle after an upgrade.
// Content coding (RFC 9110 8.4, 12.5.3): a file F with F.br and/or F.gz beside it (written by
// the build) is answered in br or gzip when the request's Accept-Encoding takes it, with
// "Content-Encoding" and "Vary: Accept-Encoding" (RFC 9110 12.5.5). Those variants are not
// served under their own names; one more than 2 s older than F (a leftover of an earlier
// build) is ignored.
// Validators: every representation has its own strong ETag (SHA-256 prefix of its bytes,
// RFC 9110 8.8.3); an If-None-Match naming any representation of the file gives 304 with that
// tag (the client's copy is current whatever its coding, RFC 9111 4.3.4).
// Thread-safety: immutable after construction.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/content_negotiation.h"
#include "http/request.h"

namespace latchkey::http {

class StaticFiles {
 public:
  // Loads every regular file under root/assets (symlinks are not followed out of the tree).
  // A missing directory gives an empty set (logged by the caller). Throws on read errors.
  explicit StaticFiles(const std::filesystem::path& root);

  // The response for a GET or HEAD of a path such as "/assets/app.3f9c2a1b.js"
  // (percent-encoded): 200 with the chosen representation, or 304 (no body) when
  // If-None-Match names one; nullopt when no such asset exists.
  std::optional<Response> Serve(const Request& request) const;

  // Files that can be asked for (their .br/.gz variants not counted).
  std::size_t size() const { return files_.size(); }
  // Variants ignored at load because they were more than 2 s older than their file.
  std::size_t stale_variants() const { return stale_variants_; }

  // MIME type by file extension; "application/octet-stream" when unknown.
  static std::string_view MimeType(std::string_view path);

  // True when the last segment of `path` is "<name>.<8-64 lowercase hex>.<ext...>".
  static bool IsContentHashed(std::string_view path);

  static constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
  static constexpr std::string_view kRevalidate = "no-cache";

 private:
  struct Representation {
    std::string body;
    std::string etag;  // quoted; empty: this coding is not available
  };
  struct File {
    std::string mime;
    bool immutable = false;                   // name carries a content hash
    std::array<Representation, 3> by_coding;  // indexed by Coding; [kIdentity] always set
    const Representation& Get(Coding c) const { return by_coding[static_cast<int>(c)]; }
    bool Has(Coding c) const { return !Get(c).etag.empty(); }
  };

  std::unordered_map<std::string, File> files_;  // key: "/assets/<relative path>"
  std::size_t stale_variants_ = 0;
};

}  // namespace latchkey::http
