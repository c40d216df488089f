// The one normalisation of a request path for the reverse proxy and forward auth: Latchkey
// decides (which upstream, public or not) on the path that NormalizePath returns, and sends
// that same path upstream, so a path that an upstream would read differently from Latchkey
// cannot reach it (issue 17, "path confusion").
//
// Rules (RFC 3986 section 6.2.2 where it defines them, refusals where it leaves room):
//   - the path must start with '/'; repeated slashes collapse to one;
//   - percent-escapes of unreserved characters are decoded (6.2.2.2: %2E -> '.', %41 -> 'A'),
//     the others are kept with upper-case hex (6.2.2.1);
//   - "." and ".." segments are resolved (5.2.4), after decoding, so "%2e%2e" is "..";
//   - refused: a ".." that would climb above the root, an escaped '/', '\' or NUL (%2F, %5C,
//     %00: the upstream may decode them into separators), a raw '\', a malformed escape, and
//     a dot segment hidden behind ';' ("..;" is ".." to Tomcat and Jetty);
//   - case is kept: paths are case-sensitive (RFC 3986 6.2.2.1 lowers only scheme and host),
//     so "/API" never matches a prefix "/api" and never reaches that upstream.
// A trailing slash is kept ("/a/" and "/a" are different resources to an upstream).
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace latchkey::http::proxy {

// The normalised form of `path` (a request target up to '?', still percent-encoded), or
// nullopt when it is refused (answered 400 malformed_request).
std::optional<std::string> NormalizePath(std::string_view path);

// True when `path` is `prefix` or lies under it on a segment boundary ("/a" covers "/a" and
// "/a/b", never "/ab"); the prefix "/" covers every path. Both normalised.
bool UnderPrefix(std::string_view path, std::string_view prefix);

}  // namespace latchkey::http::proxy
