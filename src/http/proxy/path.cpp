#include "http/proxy/path.h"

#include <vector>

namespace latchkey::http::proxy {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// One segment with its escapes normalised, or nullopt when refused.
std::optional<std::string> NormalizeSegment(std::string_view raw) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\') return std::nullopt;
    if (c != '%') {
      out += c;
      continue;
    }
    if (i + 2 >= raw.size()) return std::nullopt;  // "%" or "%A" at the end
    int hi = HexValue(raw[i + 1]);
    int lo = HexValue(raw[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    auto byte = static_cast<unsigned char>(hi * 16 + lo);
    if (byte == '/' || byte == '\\' || byte == 0) return std::nullopt;
    if (IsUnreserved(byte)) {
      out += static_cast<char>(byte);
    } else {
      out += '%';
      out += kHex[hi];
      out += kHex[lo];
    }
    i += 2;
  }
  return out;
}

bool IsDotSegment(std::string_view s) { return s == "." || s == ".."; }

// True when the rules below would give `path` back unchanged: no escape, no backslash, no
// empty segment but a last one (a trailing slash), no segment starting with '.' (".", "..",
// "..;x", and harmless ones like ".well-known", which take the long way). Most paths are
// (one scan, no segment list: this runs up to three times a proxied request).
bool IsNormal(std::string_view path) {
  return path.find_first_of("%\\") == std::string_view::npos &&
         path.find("//") == std::string_view::npos && path.find("/.") == std::string_view::npos;
}

}  // namespace

std::optional<std::string> NormalizePath(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  if (IsNormal(path)) return std::string(path);
  std::vector<std::string> segments;
  bool trailing_slash = false;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view raw = path.substr(start, end - start);
    trailing_slash = end < path.size() || raw.empty();
    start = end + 1;
    if (raw.empty()) continue;  // "//": one slash
    auto segment = NormalizeSegment(raw);
    if (!segment) return std::nullopt;
    std::size_t semicolon = segment->find(';');
    if (semicolon != std::string::npos && IsDotSegment(segment->substr(0, semicolon))) {
      return std::nullopt;  // "..;x": a dot segment to some servlet containers
    }
    if (*segment == ".") {
      trailing_slash = true;
      continue;
    }
    if (*segment == "..") {
      if (segments.empty()) return std::nullopt;  // above the root
      segments.pop_back();
      trailing_slash = true;
      continue;
    }
    trailing_slash = false;
    segments.push_back(std::move(*segment));
  }
  std::string out;
  for (const std::string& s : segments) out.append("/").append(s);
  if (out.empty() || trailing_slash) out += '/';
  return out;
}

bool UnderPrefix(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return true;
  if (!path.starts_with(prefix)) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

}  // namespace latchkey::http::proxy
