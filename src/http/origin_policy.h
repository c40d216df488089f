// Origin check of state-changing API requests, run by the router before the CSRF token check
// (defence in depth; OWASP CSRF Prevention Cheat Sheet, "Verifying Origin with standard
// headers" and "Fetch Metadata headers"; ASVS 4.0.3 4.2.2 and 14.5.3: a strict allow list,
// the "null" origin never allowed).
//
// Decision, in order:
//   Origin present:  allowed when it is the server's own origin (the scheme the client used,
//                    host and port from Host) or listed in --allowed-origin; refused when
//                    "null", malformed, or anything else.
//   Origin absent:   allowed when Sec-Fetch-Site is "same-origin" or "none" (W3C Fetch Metadata
//                    Request Headers 2.1), or absent (non-browser clients send neither; the CSRF
//                    token still applies); refused for any other value ("same-site": a sibling
//                    subdomain; "cross-site"; unknown values), since without an Origin no
//                    --allowed-origin can be matched.
// Origins compare as scheme://host[:port], scheme and host lower-cased, default port (80 for
// http, 443 for https) dropped, as browsers serialise them (RFC 6454 6.1).
// Thread-safety: immutable after construction; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"

namespace latchkey::http {

// The canonical form of an origin "scheme://host[:port]" (http or https only; no path, query,
// userinfo or fragment), or nullopt when it is not one.
std::optional<std::string> NormalizeOrigin(std::string_view origin);

// The origin the client reached, from the Host header and request.tls (already true when a
// trusted proxy said X-Forwarded-Proto: https); nullopt without a valid Host.
std::optional<std::string> OwnOrigin(const Request& request);

class OriginPolicy {
 public:
  OriginPolicy() = default;
  // `allowed`: origins as NormalizeOrigin returns them (validated at startup).
  explicit OriginPolicy(std::vector<std::string> allowed) : allowed_(std::move(allowed)) {}

  bool Allows(const Request& request) const;

  // nullopt when allowed; else 403 origin_rejected ({"error":"Cross-origin request refused",
  // "code":"origin_rejected"}).
  std::optional<Response> Check(const Request& request) const;

 private:
  std::vector<std::string> allowed_;
};

}  // namespace latchkey::http
