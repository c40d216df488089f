#include "http/cookies.h"

namespace latchkey::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void AppendAttributes(std::string& out, const CookieOptions& o) {
  out += "; Path=";
  out += o.path;
  if (o.http_only) out += "; HttpOnly";
  out += "; SameSite=";
  out += o.same_site;
  if (o.secure) out += "; Secure";
}

}  // namespace

std::optional<std::string_view> FindCookie(std::string_view header, std::string_view name) {
  std::optional<std::string_view> found;
  while (!header.empty()) {
    std::size_t end = header.find(';');
    std::string_view pair = Trim(header.substr(0, end));
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) continue;
    if (found) return std::nullopt;  // duplicate name
    std::string_view value = Trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    found = value;
  }
  return found;
}

std::string SetCookieHeader(std::string_view name, std::string_view value,
                            const CookieOptions& options) {
  std::string out;
  out.reserve(name.size() + value.size() + 96);
  out += name;
  out += '=';
  out += value;
  if (options.max_age) {
    out += "; Max-Age=";
    out += std::to_string(*options.max_age);
  }
  AppendAttributes(out, options);
  return out;
}

std::string ClearCookieHeader(std::string_view name, const CookieOptions& options) {
  std::string out(name);
  out += "=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT";
  AppendAttributes(out, options);
  return out;
}

}  // namespace latchkey::http
