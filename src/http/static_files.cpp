#include "http/static_files.h"

#include <boost/url/parse.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "crypto/encoding.h"

namespace latchkey::http {
namespace fs = std::filesystem;

namespace {

struct Loaded {
  std::string body;
  fs::file_time_type mtime;
};

constexpr std::chrono::seconds kCopySlack{2};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string ETagOf(const std::string& body) {
  return "\"" + crypto::Sha256Hex(body).substr(0, 32) + "\"";
}

// Every regular file under root/assets, keyed "/assets/<relative path>".
std::map<std::string, Loaded> ReadTree(const fs::path& root) {
  std::map<std::string, Loaded> out;
  fs::path assets = root / "assets";
  std::error_code ec;
  if (!fs::is_directory(assets, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(assets, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) throw std::runtime_error("cannot read asset " + it->path().string());
    std::ostringstream body;
    body << in.rdbuf();
    out["/" + fs::relative(it->path(), root).generic_string()] = {body.str(),
                                                                  it->last_write_time()};
  }
  if (ec)
    throw std::runtime_error("cannot list assets in " + assets.string() + ": " + ec.message());
  return out;
}

}  // namespace

StaticFiles::StaticFiles(const fs::path& root) {
  std::map<std::string, Loaded> tree = ReadTree(root);
  static constexpr std::pair<std::string_view, Coding> kVariants[] = {{".br", Coding::kBrotli},
                                                                      {".gz", Coding::kGzip}};
  // The coding and base file of a variant ("/assets/app.js.br": br of "/assets/app.js").
  auto variant_of =
      [&tree](const std::string& key) -> std::optional<std::pair<Coding, std::string>> {
    for (const auto& [suffix, coding] : kVariants) {
      if (!EndsWith(key, suffix)) continue;
      std::string base = key.substr(0, key.size() - suffix.size());
      if (tree.count(base)) return std::pair(coding, std::move(base));
    }
    return std::nullopt;
  };
  for (auto& [key, loaded] : tree) {
    if (variant_of(key)) continue;
    File f;
    f.mime = std::string(MimeType(key));
    f.immutable = IsContentHashed(key);
    f.by_coding[static_cast<int>(Coding::kIdentity)] = {std::move(loaded.body), {}};
    f.by_coding[static_cast<int>(Coding::kIdentity)].etag = ETagOf(f.Get(Coding::kIdentity).body);
    files_.emplace(key, std::move(f));
  }
  for (auto& [key, loaded] : tree) {
    auto variant = variant_of(key);
    if (!variant) continue;
    const auto& [coding, base] = *variant;
    File& f = files_.at(base);
    // The file was rebuilt after this variant, which may then not match it. The slack lets a
    // copy that wrote the variant just before its file (cp -r, in directory order) pass.
    if (loaded.mtime + kCopySlack < tree.at(base).mtime) {
      ++stale_variants_;
      continue;
    }
    std::string etag = ETagOf(loaded.body);
    f.by_coding[static_cast<int>(coding)] = {std::move(loaded.body), std::move(etag)};
  }
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
  const File& file = it->second;
  bool varies = file.Has(Coding::kBrotli) || file.Has(Coding::kGzip);

  Response r;
  r.AddHeader("Cache-Control", std::string(file.immutable ? kImmutable : kRevalidate));
  if (varies) r.AddHeader("Vary", "Accept-Encoding");
  if (!request.if_none_match.empty()) {
    for (const Representation& rep : file.by_coding) {
      if (rep.etag.empty() || !IfNoneMatchMatches(request.if_none_match, rep.etag)) continue;
      // 304 carries the validators and caching fields a 200 would (RFC 9110 15.4.5).
      r.status = 304;
      r.AddHeader("ETag", rep.etag);
      return r;
    }
  }
  Coding coding =
      ChooseCoding(request.accept_encoding, file.Has(Coding::kBrotli), file.Has(Coding::kGzip));
  const Representation& rep = file.Get(coding);
  r.content_type = file.mime;
  r.AddHeader("ETag", rep.etag);
  if (coding != Coding::kIdentity) r.AddHeader("Content-Encoding", std::string(CodingName(coding)));
  r.body = rep.body;
  return r;
}

bool StaticFiles::IsContentHashed(std::string_view path) {
  std::string_view name = path.substr(path.rfind('/') + 1);
  std::size_t first_dot = name.find('.');
  if (first_dot == 0 || first_dot == std::string_view::npos) return false;
  // Segments strictly between the name and the last extension.
  std::string_view middle = name.substr(first_dot + 1);
  while (true) {
    std::size_t dot = middle.find('.');
    if (dot == std::string_view::npos) return false;  // `middle` is the last extension
    std::string_view segment = middle.substr(0, dot);
    bool hex = segment.size() >= 8 && segment.size() <= 64;
    for (char c : segment) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (hex) return true;
    middle.remove_prefix(dot + 1);
  }
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
      {".br", "application/octet-stream"},  // a variant without its file: opaque bytes
      {".gz", "application/gzip"},
  };
  for (const auto& [ext, mime] : kTypes) {
    if (EndsWith(path, ext)) return mime;
  }
  return "application/octet-stream";
}

}  // namespace latchkey::http
