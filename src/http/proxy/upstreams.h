// The reverse proxy's table (--upstream PREFIX=URL, --public-path PREFIX): which upstream a
// normalised path goes to, and whether it may go there without a session (issue 17 section 1).
//
// Matching: on segment boundaries (path.h UnderPrefix), the longest prefix wins. Latchkey's own
// routes (kOwnPrefixes) always win: a path under one is never forwarded, and an upstream
// prefix equal to or inside one is refused at startup (a prefix above one, "/api" or "/", is
// allowed: only the paths outside Latchkey's go to it).
// Public paths: under an upstream, paths that need no session (identity is still sent when
// there is one, and state-changing methods still need the CSRF token).
// Thread-safety: built at startup, then read-only.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/errc.h"

namespace latchkey::http::proxy {

// The prefixes Latchkey serves itself; no upstream may take a path under one.
inline constexpr std::array<std::string_view, 5> kOwnPrefixes = {"/api/auth", "/healthz", "/readyz",
                                                                 "/assets", "/.well-known"};

struct Upstream {
  std::string prefix;     // normalised, no trailing slash but "/" itself ("/api/notes")
  std::string host;       // name or address, as given (IPv6 without brackets)
  std::string port;       // decimal
  std::string authority;  // host:port as given, the Host header sent upstream
};

// `value` of --upstream ("/api/notes=http://127.0.0.1:3000"), or an error naming the flag:
// no '=', a prefix that is not an absolute normalised path, or a URL that is not
// http://host:port (Boost.URL; no user info, path, query or fragment; port 1-65535).
Result<Upstream> ParseUpstream(std::string_view value);

// `value` of --public-path: a normalised absolute path without a trailing slash ("/" aside).
Result<std::string> ParsePublicPath(std::string_view value);

class UpstreamTable {
 public:
  UpstreamTable() = default;
  // Fails (naming --upstream) when a prefix is taken twice or lies in Latchkey's own routes.
  static Result<UpstreamTable> Make(std::vector<Upstream> upstreams,
                                    std::vector<std::string> public_paths);

  // The index of the upstream `path` (normalised) goes to, or nullopt (Latchkey's own).
  std::optional<std::size_t> Match(std::string_view path) const;
  // True when `path` (normalised) lies under a --public-path.
  bool IsPublic(std::string_view path) const;
  // True when `path` lies under one of kOwnPrefixes.
  static bool IsOwn(std::string_view path);

  bool empty() const { return upstreams_.empty(); }
  const std::vector<Upstream>& upstreams() const { return upstreams_; }

 private:
  std::vector<Upstream> upstreams_;
  std::vector<std::string> public_paths_;
};

}  // namespace latchkey::http::proxy
