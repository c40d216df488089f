#include "http/proxy/upstreams.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

#include "http/proxy/path.h"

namespace latchkey::http::proxy {
namespace {

Error FlagError(std::string_view flag, std::string message, std::string_view value) {
  return MakeError(Errc::kInvalidInput,
                   std::string(flag) + " " + message + ", got '" + std::string(value) + "'",
                   std::string(flag.substr(2)));
}

// A prefix as the table keeps it: absolute, already normalised, no trailing slash.
bool IsCanonicalPrefix(std::string_view prefix) {
  if (prefix == "/") return true;
  auto normal = NormalizePath(prefix);
  return normal && *normal == prefix && prefix.back() != '/';
}

// 1-65535 in decimal (Boost.URL keeps the digits of a port it cannot hold in 16 bits).
bool ValidPort(std::string_view digits) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return ec == std::errc() && end == digits.data() + digits.size() && value >= 1 && value <= 65535;
}

}  // namespace

Result<Upstream> ParseUpstream(std::string_view value) {
  constexpr std::string_view kFlag = "--upstream";
  constexpr std::string_view kShape =
      "must be PREFIX=http://host:port (/api/notes=http://127.0.0.1:3000)";
  std::size_t eq = value.find('=');
  if (eq == std::string_view::npos) return FlagError(kFlag, std::string(kShape), value);
  Upstream up;
  up.prefix = std::string(value.substr(0, eq));
  if (!IsCanonicalPrefix(up.prefix)) {
    return FlagError(kFlag,
                     "prefix must be a normalised absolute path without a trailing slash "
                     "(/api/notes)",
                     value);
  }
  auto url = boost::urls::parse_absolute_uri(value.substr(eq + 1));
  if (!url || url->scheme() != "http" || !url->has_authority() || url->has_userinfo() ||
      url->host().empty() || !url->has_port() || !ValidPort(url->port()) ||
      !(url->path().empty() || url->path() == "/") || url->has_query() || url->has_fragment()) {
    return FlagError(kFlag, std::string(kShape), value);
  }
  up.host = url->host_address();
  up.port = url->port();
  up.authority = url->encoded_authority();
  return up;
}

Result<std::string> ParsePublicPath(std::string_view value) {
  if (!IsCanonicalPrefix(value)) {
    return FlagError(
        "--public-path",
        "must be a normalised absolute path without a trailing slash (/api/notes/public)", value);
  }
  return std::string(value);
}

Result<UpstreamTable> UpstreamTable::Make(std::vector<Upstream> upstreams,
                                          std::vector<std::string> public_paths) {
  for (std::size_t i = 0; i < upstreams.size(); ++i) {
    const std::string& prefix = upstreams[i].prefix;
    for (std::string_view own : kOwnPrefixes) {
      if (UnderPrefix(prefix, own)) {
        return FlagError("--upstream",
                         "prefix " + prefix + " lies in Latchkey's own " + std::string(own),
                         prefix);
      }
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (upstreams[j].prefix == prefix) {
        return FlagError("--upstream", "prefix " + prefix + " is given twice", prefix);
      }
    }
  }
  UpstreamTable table;
  table.upstreams_ = std::move(upstreams);
  table.public_paths_ = std::move(public_paths);
  return table;
}

bool UpstreamTable::IsOwn(std::string_view path) {
  for (std::string_view own : kOwnPrefixes) {
    if (UnderPrefix(path, own)) return true;
  }
  return false;
}

std::optional<std::size_t> UpstreamTable::Match(std::string_view path) const {
  if (upstreams_.empty() || IsOwn(path)) return std::nullopt;
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < upstreams_.size(); ++i) {
    const std::string& prefix = upstreams_[i].prefix;
    if (!UnderPrefix(path, prefix)) continue;
    if (!best || prefix.size() > upstreams_[*best].prefix.size()) best = i;
  }
  return best;
}

bool UpstreamTable::IsPublic(std::string_view path) const {
  for (const std::string& p : public_paths_) {
    if (UnderPrefix(path, p)) return true;
  }
  return false;
}

}  // namespace latchkey::http::proxy
