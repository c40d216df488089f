#include "http/static_files.h"

#include <boost/url/parse.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "crypto/encoding.h"

namespace latchkey::http {
namespace fs = std::filesystem;

StaticFiles::StaticFiles(const fs::path& root) {
  fs::path assets = root / "assets";
  std::error_code ec;
  if (!fs::is_directory(assets, ec)) return;
  for (auto it = fs::recursive_directory_iterator(assets, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) throw std::runtime_error("cannot read asset " + it->path().string());
    std::ostringstream body;
    body << in.rdbuf();
    std::string rel = fs::relative(it->path(), root).generic_string();
    File f;
    f.body = body.str();
    f.mime = std::string(MimeType(rel));
    f.etag = "\"" + crypto::Sha256Hex(f.body).substr(0, 32) + "\"";
    files_.emplace("/" + rel, std::move(f));
  }
  if (ec)
    throw std::runtime_error("cannot list assets in " + assets.string() + ": " + ec.message());
}

std::optional<Response> StaticFiles::Serve(const Request& request) const {
  auto parsed = boost::urls::parse_origin_form(request.path);
  if (!parsed) return std::nullopt;
  std::string decoded;
  for (auto segment : parsed->segments()) {
    decoded += '/';
    decoded += segment;  // decoded; "..", "%2e%2e" or "%2f" inside a name never match a key
  }
  auto it = files_.find(decoded);
  if (it == files_.end()) return std::nullopt;
  Response r;
  r.content_type = it->second.mime;
  r.AddHeader("ETag", it->second.etag);
  r.AddHeader("Cache-Control", "no-cache");
  if (request.if_none_match == it->second.etag) {
    r.status = 304;
    return r;
  }
  r.body = it->second.body;
  return r;
}

std::string_view StaticFiles::MimeType(std::string_view path) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".html", "text/html; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [ext, mime] : kTypes) {
    if (path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext) return mime;
  }
  return "application/octet-stream";
}

}  // namespace latchkey::http
