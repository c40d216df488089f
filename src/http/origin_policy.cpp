#include "http/origin_policy.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "http/error_mapping.h"

namespace latchkey::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

bool IsIpv6LiteralChar(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

}  // namespace

std::optional<std::string> NormalizeOrigin(std::string_view origin) {
  std::size_t sep = origin.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  std::string scheme = Lower(origin.substr(0, sep));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string_view authority = origin.substr(sep + 3);

  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    host = authority.substr(0, close + 1);
    if (!std::all_of(host.begin() + 1, host.end() - 1, IsIpv6LiteralChar)) return std::nullopt;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
      if (port.empty()) return std::nullopt;
    }
  } else {
    std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
    // Also refuses '/', '?', '#', '@' and a second ':': an origin has no path or userinfo.
    if (host.empty() || !std::all_of(host.begin(), host.end(), IsHostChar)) return std::nullopt;
  }

  std::string out = scheme + "://" + Lower(host);
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return std::nullopt;
    }
    bool default_port = (scheme == "http" && value == 80) || (scheme == "https" && value == 443);
    if (!default_port) out += ":" + std::to_string(value);
  }
  return out;
}

std::optional<std::string> OwnOrigin(const Request& request) {
  if (request.host.empty()) return std::nullopt;
  return NormalizeOrigin((request.tls ? "https://" : "http://") + request.host);
}

bool OriginPolicy::Allows(const Request& request) const {
  if (!request.origin) {
    // Fetch Metadata: a browser that sends no Origin still says where the request came from.
    // Only "same-origin" and "none" (typed by the user) name this origin; "same-site" is a
    // sibling subdomain, which --allowed-origin cannot be checked against without an Origin.
    // No header at all: not a browser (the CSRF token still applies).
    if (request.sec_fetch_site.empty()) return true;
    std::string site = Lower(request.sec_fetch_site);
    return site == "same-origin" || site == "none";
  }
  // "null" (sandboxed frames, file:, some redirects) names no origin: never allowed.
  auto origin = NormalizeOrigin(*request.origin);
  if (!origin) return false;
  if (auto own = OwnOrigin(request); own && *own == *origin) return true;
  return std::find(allowed_.begin(), allowed_.end(), *origin) != allowed_.end();
}

std::optional<Response> OriginPolicy::Check(const Request& request) const {
  if (Allows(request)) return std::nullopt;
  // Reported like a failed CSRF check (same 403); the message tells which check failed.
  return ErrorResponse(MakeError(Errc::kOriginRejected));
}

}  // namespace latchkey::http
